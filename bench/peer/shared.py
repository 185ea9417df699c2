"""The scenario both sides of the comparison build, in one place: same courses, texts, learners, statements.

Plain Python (Django only inside ``session_for``), imported by Kyky's side as
``bench.peer.shared`` and by the peer as ``peer.shared``.
"""

import os

# A real package from the shared test data next to the project (``KYKY_SHARED_DIR``, else ``../shared``).
_SHARED = os.environ.get("KYKY_SHARED_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
H5P_PACKAGE = os.environ.get("BENCH_H5P_PACKAGE") or os.path.join(_SHARED, "h5p", "lumi-H5P.TrueFalse.h5p")

# (title, slug, lessons): Kyky groups lessons in modules of ten; wagtail-lms has no modules, so
# its courses hold the lessons directly. Every lesson has the same text and one H5P activity of
# its own (the same package, one activity per lesson).
COURSES = [
    ("Bench 50", "bench-50", 50),
    ("Bench 10", "bench-10", 10),
    ("Bench 50 B", "bench-50-b", 50),
    ("Bench 50 C", "bench-50-c", 50),
]
MODULE_SIZE = 10

LEARNERS = 16  # one per connection at 16 connections: each connection is another learner
DONE_LESSONS = 20  # of "Bench 50": lessons 1..20 completed, lesson 21 opened and in progress
BACKGROUND_LEARNERS = int(os.environ.get("BENCH_COHORT_LEARNERS", "2000"))  # enrolled in "Bench 50 B"

LESSON_HTML = (
    "<h3>Työkyky ja sen tukeminen</h3>"
    "<p>Työkyky ei ole pelkästään yksilön ominaisuus, vaan se syntyy ihmisen voimavarojen, työn vaatimusten "
    "ja työympäristön yhteispelistä. Kun jokin näistä muuttuu, myös työkyky muuttuu. Siksi työkyvyn tukeminen "
    "on aina yhteistyötä, jossa työntekijä, esihenkilö, työterveyshuolto ja tarvittaessa muut toimijat "
    "katsovat tilannetta yhdessä.</p>"
    "<p>Varhainen tuki tarkoittaa, että muutoksiin tartutaan ennen kuin ne kasvavat ongelmiksi. Työpaikalla "
    "sovitut käytännöt, kuten puheeksiottamisen malli ja työhön paluun tuki, auttavat toimimaan johdonmukaisesti "
    "ja oikeudenmukaisesti. Tavoitteena on löytää keinoja, joilla työ ja tekijä sopivat yhteen.</p>"
    "<ul><li>Tunnista muutokset ajoissa.</li><li>Ota asia puheeksi arvostavasti.</li>"
    "<li>Sovi seurannasta ja kirjaa sovitut asiat.</li></ul>"
    "<p>Tämän oppitunnin lopussa on tehtävä, jolla voit tarkistaa, mitä olet oppinut.</p>"
)

VERB = "http://adlnet.gov/expapi/verbs/"
RESULT = {
    "score": {"min": 0, "max": 1, "raw": 1, "scaled": 1},
    "completion": True,
    "success": True,
    "duration": "PT12.5S",
}
# What a learner's browser sends for each completed lesson while setting up, in this order.
SETUP_VERBS = ["attempted", "interacted", "answered"]  # H5P True/False completes with "answered"
CURRENT_VERBS = ["attempted", "interacted"]  # the lesson in progress


def statement(verb: str, object_iri: str, statement_id: str, *, with_result: bool | None = None) -> dict:
    """An xAPI statement as H5P's True/False content sends it (without the actor, which both servers
    take from the session)."""
    result = {
        "id": statement_id,
        "verb": {"id": VERB + verb, "display": {"en-US": verb}},
        "object": {
            "id": object_iri,
            "objectType": "Activity",
            "definition": {
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": 1},
                "name": {"en-US": "Työkyvyn tuki: tosi vai epätosi?"},
                "interactionType": "true-false",
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "correctResponsesPattern": ["true"],
            },
        },
        "context": {
            "contextActivities": {
                "category": [{"id": "http://h5p.org/libraries/H5P.TrueFalse-1.8", "objectType": "Activity"}]
            }
        },
        "timestamp": "2026-01-15T10:00:00.000Z",
    }
    if with_result if with_result is not None else verb in ("answered", "completed"):
        result["result"] = dict(RESULT, response="true") if verb == "answered" else dict(RESULT)
    return result


def session_for(user) -> str:
    """A logged-in session for ``user`` in the running project's session engine: the load generator's cookie."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key
