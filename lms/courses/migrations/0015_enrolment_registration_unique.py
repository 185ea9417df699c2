import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("courses", "0014_enrolment_registration_fill")]

    operations = [
        migrations.AlterField(
            model_name="enrolment",
            name="registration",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="The xAPI registration: names this enrolment in the learning records' context.",
                unique=True,
            ),
        ),
    ]
