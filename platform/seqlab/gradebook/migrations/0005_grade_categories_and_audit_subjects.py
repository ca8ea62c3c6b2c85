from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0003_score_policy_labels"),
        ("submissions", "0003_artifact_texts"),
        ("gradebook", "0004_override_score_within_bounds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="offering",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="courses.offering"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="student",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="submission",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="submissions.submission"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["course", "-at"], name="audit_course_recent"),
        ),
        migrations.CreateModel(
            name="GradeCategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title_ko", models.CharField(blank=True, max_length=100)),
                ("title_en", models.CharField(blank=True, max_length=100)),
                ("weight", models.DecimalField(decimal_places=2, help_text="percent of the course total", max_digits=5,
                                               validators=[django.core.validators.MinValueValidator(Decimal("0")),
                                                           django.core.validators.MaxValueValidator(Decimal("100"))])),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("course", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                             related_name="grade_categories", to="courses.course")),
            ],
            options={
                "verbose_name_plural": "grade categories",
                "ordering": ["position", "id"],
                "constraints": [models.CheckConstraint(
                    condition=models.Q(("weight__gte", 0), ("weight__lte", 100)), name="category_weight_is_a_percent")],
            },
        ),
        migrations.CreateModel(
            name="OfferingCategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("category", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="offering_links", to="gradebook.gradecategory")),
                ("offering", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                  related_name="grade_category", to="courses.offering")),
            ],
        ),
    ]
