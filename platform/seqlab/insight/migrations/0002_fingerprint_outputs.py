# Wrong outputs hashed by the engine (tests[].extra_data.output_hashes), kept with each fingerprint.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('insight', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='fingerprint',
            name='outputs',
            field=models.JSONField(default=list, help_text='wrong outputs: [{check, what, hashes: [hash, alt], report}]'),
        ),
    ]
