"""Complete the statements stored before statements were completed on receipt (issue 15).

Each stored statement becomes what ``lms.h5p.xapi.statement_complete`` makes of a new one, as of
its ``stored_at``: the timestamp is the browser's where it is believable, else ``stored_at``
(statements from H5P carried none); ``stored`` is ``stored_at``; authority, version, the
enrolment's registration and the lesson, module, part and training as context activities are
added. The lesson is the one in the enrolment's training that holds the statement's activity (none
when no lesson holds it any more: then the training alone groups it).

It reads the trainings' structure with the current code (the structure is built from Wagtail's
pages, which historical models do not give), so it does so only when there are statements to
complete: on a new database it does nothing. Running it again changes nothing. Because the current
page models are used, a database with statements must pass through a release that has this
migration before a later one that changes the pages' tables (the usual rule for upgrades).
"""

from django.db import migrations

REQUIRED = ("id", "actor", "verb", "object", "timestamp", "stored", "authority", "version", "context")


def forwards(apps, schema_editor):
    XAPIStatement = apps.get_model("h5p", "XAPIStatement")
    if not XAPIStatement.objects.exists():
        return
    from lms.courses.models import TrainingPage
    from lms.courses.structure import structure_for
    from lms.h5p.xapi import StatementInvalid, statement_check, statement_complete

    structures = {}
    rows = XAPIStatement.objects.select_related("enrolment").order_by("pk")
    for row in rows.iterator(chunk_size=500):
        enrolment = row.enrolment
        if enrolment.training_id not in structures:
            training = TrainingPage.objects.filter(pk=enrolment.training_id).first()
            structures[enrolment.training_id] = structure_for(training) if training else None
        structure = structures[enrolment.training_id]
        if structure is None:
            continue
        sent = dict(row.statement)
        sent.setdefault("id", str(row.statement_id))
        try:
            statement_check(sent)
        except StatementInvalid:
            sent.pop("context", None)  # stored before contexts were checked: not one xAPI allows
        lesson = next((node for node in structure.lessons if row.activity_id in node.requirements.h5p), None)
        completed = statement_complete(
            sent, enrolment=enrolment, structure=structure, lesson_node=lesson, now=row.stored_at
        )
        if completed != row.statement:
            XAPIStatement.objects.filter(pk=row.pk).update(statement=completed)


class Migration(migrations.Migration):
    dependencies = [
        ("h5p", "0005_admin_labels"),
        ("courses", "0015_enrolment_registration_unique"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
