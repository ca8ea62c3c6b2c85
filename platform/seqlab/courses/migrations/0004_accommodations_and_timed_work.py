import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0003_score_policy_labels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='offering',
            name='time_limit_minutes',
            field=models.PositiveIntegerField(blank=True, help_text="blank = untimed; else minutes from the student's start (never past the cutoff)", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10080)]),
        ),
        migrations.CreateModel(
            name='Accommodation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('extra_days', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(365)])),
                ('extra_time_percent', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(400)])),
                ('extra_attempts', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)])),
                ('note', models.CharField(blank=True, max_length=500)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='accommodations', to='courses.course')),
                ('student', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='accommodations', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['student__username'],
                'constraints': [models.UniqueConstraint(fields=('course', 'student'), name='one_accommodation_per_student'), models.CheckConstraint(condition=models.Q(('extra_days__lte', 365)), name='accommodation_days_bounded'), models.CheckConstraint(condition=models.Q(('extra_time_percent__lte', 400)), name='accommodation_percent_bounded'), models.CheckConstraint(condition=models.Q(('extra_attempts__lte', 100)), name='accommodation_attempts_bounded')],
            },
        ),
        migrations.CreateModel(
            name='TimedStart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField()),
                ('offering', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timed_starts', to='courses.offering')),
                ('student', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timed_starts', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('offering', 'student'), name='one_start_per_student')],
            },
        ),
    ]
