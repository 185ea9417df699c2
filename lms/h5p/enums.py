from django.db import models


class Verb(models.TextChoices):
    """The xAPI verbs H5P content types emit; statements with other verbs are refused."""

    ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted", "attempted"
    INTERACTED = "http://adlnet.gov/expapi/verbs/interacted", "interacted"
    ANSWERED = "http://adlnet.gov/expapi/verbs/answered", "answered"
    COMPLETED = "http://adlnet.gov/expapi/verbs/completed", "completed"
    PASSED = "http://adlnet.gov/expapi/verbs/passed", "passed"
    FAILED = "http://adlnet.gov/expapi/verbs/failed", "failed"
    PROGRESSED = "http://adlnet.gov/expapi/verbs/progressed", "progressed"
    EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced", "experienced"
    SCORED = "http://adlnet.gov/expapi/verbs/scored", "scored"
    SKIPPED = "http://id.tincanapi.com/verb/skipped", "skipped"


# Verbs whose result speaks for the whole activity (when the statement is about the activity itself,
# not one of its sub-contents).
RESULT_VERBS = {Verb.ANSWERED, Verb.COMPLETED, Verb.PASSED, Verb.FAILED, Verb.SCORED}
