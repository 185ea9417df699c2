"""The xAPI registration of an enrolment, in three steps (Django's way for a unique field on existing
rows): the column without a default, each existing enrolment its own UUID, then unique."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("courses", "0012_exam_pool_label")]

    operations = [
        migrations.AddField(
            model_name="enrolment",
            name="registration",
            field=models.UUIDField(null=True, editable=False),
        ),
    ]
