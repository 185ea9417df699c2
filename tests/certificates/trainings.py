"""Trainings with a designed workload that backs the credits they declare.

Certificates and pages state the credits the published workload supports (``structure.stated_credits``),
so a fixture that declares credits has to carry the work for them, as a real training must.
"""

from decimal import Decimal

from django.conf import settings

from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, text


def backing_minutes(credits, lessons: int) -> int:
    """Each of ``lessons`` lessons' estimated minutes for their sum to back ``credits``."""
    return -(-int(Decimal(credits) * settings.KYKY_HOURS_PER_CREDIT * 60) // lessons)


def build_backed_training(index, *, ects_credits, lessons=1, minutes=None, **fields):
    """A live training of one module of ``lessons`` lessons whose estimated minutes back ``ects_credits``
    (or are ``minutes`` each, to build one that claims more than its work supports)."""
    if minutes is None:
        minutes = backing_minutes(ects_credits, lessons)
    training = TrainingPageFactory(parent=index, ects_credits=ects_credits, **fields)
    module = ModulePageFactory(parent=training)
    for _n in range(lessons):
        LessonPageFactory(parent=module, estimated_minutes=minutes, body=[text()])
    return training
