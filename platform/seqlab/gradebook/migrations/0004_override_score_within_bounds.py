from django.db import migrations, models

MAX_OVERRIDE_POINTS = 10_000.0


def clamp_out_of_bounds(apps, schema_editor):
    """Scores stored before overrides had bounds are brought within them, each change audited."""
    Override = apps.get_model("gradebook", "Override")
    AuditEntry = apps.get_model("gradebook", "AuditEntry")
    for override in Override.objects.select_related("submission__offering"):
        score = override.score
        fixed = 0.0 if score != score or score < 0 else min(score, MAX_OVERRIDE_POINTS)
        if fixed == score:
            continue
        Override.objects.filter(pk=override.pk).update(score=fixed)
        AuditEntry.objects.create(
            course_id=override.submission.offering.course_id, actor_id=override.author_id,
            action="override.clamp", subject=f"submission {override.submission_id} check {override.check_number or 'total'}",
            before={"score": repr(score)}, after={"score": fixed}, comment="score out of bounds when bounds came in")


class Migration(migrations.Migration):

    dependencies = [
        ("gradebook", "0003_written_answers_are_overrides"),
    ]

    operations = [
        migrations.RunPython(clamp_out_of_bounds, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="override",
            constraint=models.CheckConstraint(
                condition=models.Q(("score__gte", 0), ("score__lte", MAX_OVERRIDE_POINTS)),
                name="override_score_within_bounds"),
        ),
    ]
