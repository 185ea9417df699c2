import uuid

from django.db import migrations


def fill(apps, schema_editor):
    Enrolment = apps.get_model("courses", "Enrolment")
    for enrolment in Enrolment.objects.filter(registration__isnull=True).only("pk").iterator():
        Enrolment.objects.filter(pk=enrolment.pk).update(registration=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("courses", "0013_enrolment_registration")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
