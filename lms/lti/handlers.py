from . import services


def grade_on_completion(sender, enrolment, **kwargs):
    """A completed training's score goes to every Moodle line item the learner launched it from."""
    services.grades_queue(enrolment)
