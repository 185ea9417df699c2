"""Demo only (``manage.py setup_demo``): a small exam, a start/end self-assessment and contact sessions in
the coordinator training, so that someone trying Kyky sees them. Not training material: issue 14
writes the real pools and self-assessments in ``content/``.

The material is written in the content files' format and goes through the importer's own checks
and writer, with stable keys, so re-running the demo setup changes nothing.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from wagtail.models import Locale

from .content_import import (
    LANGUAGES,
    ContentError,
    PoolSpec,
    Reader,
    Source,
    TrainingSpec,
    Writer,
    _Loader,
    lesson_body,
    translation_key,
)
from .models import LessonPage, ModulePage, TrainingPage

HELSINKI = ZoneInfo("Europe/Helsinki")
DEMO = Path("demo")  # what problems would name: the material lives here, not in files

POOL = {
    "fi": """
title: Demo – työkykykoordinaattorin kysymykset
questions:
  - id: rooli
    type: single
    outcome: LO1
    prompt: Mikä on työkykykoordinaattorin **päätehtävä**?
    feedback: Koordinaattori sovittaa yhteen tuen, ei tee kaikkea itse.
    options:
      - {text: Sovittaa yhteen työkyvyn tuen toimijat ja keinot, correct: true, feedback: Oikein.}
      - {text: Tehdä työterveyshuollon lääkärintarkastukset, correct: false, feedback: Se on lääkärin työtä.}
      - {text: Päättää työntekijän eläkkeestä, correct: false, feedback: Siitä päättää eläkelaitos.}
  - id: varhainen-tuki
    type: single
    outcome: LO1
    prompt: Milloin varhaisen tuen keskustelu kannattaa käydä?
    options:
      - {text: Kun ensimmäiset merkit työkyvyn heikkenemisestä näkyvät, correct: true}
      - {text: Vasta kun sairauspoissaoloja on kertynyt 90 päivää, correct: false}
  - id: tukikeinot
    type: multiple
    outcome: LO2
    prompt: Mitkä ovat työkyvyn tuen keinoja työpaikalla?
    options:
      - {text: Työaikajärjestelyt, correct: true}
      - {text: Työkokeilu, correct: true}
      - {text: Palkan alentaminen, correct: false, feedback: Ei ole tukikeino.}
  - id: paivarahapaivat
    type: numeric
    outcome: LO2
    prompt: Monenko sairauspäivärahapäivän kohdalla Kelan on viimeistään saatava työterveyslääkärin lausunto?
    answer: 90
    unit: päivää
    feedback: 90 päivän kohdalla (ns. 30–60–90-sääntö).
  - id: toimijat
    type: matching
    outcome: LO3
    prompt: Yhdistä toimija ja sen tehtävä.
    pairs:
      - {left: Kela, right: Ammatillinen kuntoutus}
      - {left: Työterveyshuolto, right: Työkyvyn arviointi}
      - {left: Työeläkelaitos, right: Työkyvyttömyyseläke}
  - id: luottamus
    type: single
    outcome: LO3
    prompt: Mitä koordinaattori saa kertoa työntekijän terveydentilasta esihenkilölle?
    options:
      - {text: "Vain sen, mihin työntekijä on antanut luvan", correct: true}
      - {text: "Kaiken, mitä työterveyshuolto tietää", correct: false}
""",
    "sv": """
title: Demo – frågor för arbetsförmågekoordinatorer
questions:
  - id: rooli
    prompt: Vad är arbetsförmågekoordinatorns **huvuduppgift**?
    feedback: Koordinatorn samordnar stödet och gör inte allt själv.
    options:
      - {text: Att samordna aktörerna och medlen för stöd av arbetsförmågan, feedback: Rätt.}
      - {text: Att göra företagshälsovårdens läkarundersökningar, feedback: Det är läkarens arbete.}
      - {text: Att besluta om arbetstagarens pension, feedback: Det beslutar pensionsanstalten om.}
  - id: varhainen-tuki
    prompt: När lönar det sig att föra ett samtal om tidigt stöd?
    options:
      - {text: När de första tecknen på försvagad arbetsförmåga syns}
      - {text: Först när sjukfrånvaron uppgått till 90 dagar}
  - id: tukikeinot
    prompt: Vilka är medel för att stödja arbetsförmågan på arbetsplatsen?
    options:
      - {text: Arrangemang av arbetstiden}
      - {text: Arbetsprövning}
      - {text: Sänkt lön, feedback: Det är inget stödmedel.}
  - id: paivarahapaivat
    prompt: Senast vid hur många dagar med sjukdagpenning ska FPA få företagsläkarens utlåtande?
    unit: dagar
    feedback: Vid 90 dagar (den s.k. 30–60–90-regeln).
  - id: toimijat
    prompt: Para ihop aktören och dess uppgift.
    pairs:
      - {left: FPA, right: Yrkesinriktad rehabilitering}
      - {left: Företagshälsovården, right: Bedömning av arbetsförmågan}
      - {left: Arbetspensionsanstalten, right: Invalidpension}
  - id: luottamus
    prompt: Vad får koordinatorn berätta för chefen om arbetstagarens hälsa?
    options:
      - {text: Bara det som arbetstagaren har gett lov till}
      - {text: Allt som företagshälsovården vet}
""",
    "en": """
title: Demo – questions for work ability coordinators
questions:
  - id: rooli
    prompt: What is the **main task** of a work ability coordinator?
    feedback: The coordinator brings the support together and does not do everything alone.
    options:
      - {text: To coordinate the actors and means of work ability support, feedback: Right.}
      - {text: To carry out occupational health medical examinations, feedback: That is a doctor's work.}
      - {text: To decide on the employee's pension, feedback: The pension provider decides on that.}
  - id: varhainen-tuki
    prompt: When is it worth having an early support discussion?
    options:
      - {text: When the first signs of weakening work ability show}
      - {text: Only after 90 days of sickness absence}
  - id: tukikeinot
    prompt: Which are means of supporting work ability at the workplace?
    options:
      - {text: Working time arrangements}
      - {text: Work trial}
      - {text: Lower pay, feedback: That is no means of support.}
  - id: paivarahapaivat
    prompt: By how many days of sickness allowance at the latest must Kela have the occupational physician's statement?
    unit: days
    feedback: At 90 days (the so-called 30–60–90 rule).
  - id: toimijat
    prompt: Match each actor with its task.
    pairs:
      - {left: Kela, right: Vocational rehabilitation}
      - {left: Occupational health care, right: Assessing work ability}
      - {left: Earnings-related pension provider, right: Disability pension}
  - id: luottamus
    prompt: What may the coordinator tell a supervisor about an employee's health?
    options:
      - {text: Only what the employee has allowed}
      - {text: Everything occupational health care knows}
""",
}
SELF_ASSESSMENT = {
    "fi": """
title: Demo – koordinaattorin osaamisen itsearviointi
intro: Arvioi, miten hyvin osaat seuraavat asiat nyt. Vastaat samoihin väittämiin koulutuksen lopussa.
scale_min: 1
scale_max: 5
min_label: En vielä osaa
max_label: Osaan ohjata muita
statements:
  - {id: prosessi, outcome: Työkyvyn tuen prosessi, text: Osaan kuvata työkyvyn tuen prosessin työpaikalla.}
  - {id: palvelut, outcome: Palvelut ja etuudet, text: Tunnen keskeiset kuntoutuspalvelut ja etuudet.}
  - {id: keskustelu, outcome: Puheeksiotto, text: Osaan ottaa työkyvyn puheeksi luottamuksellisesti.}
""",
    "sv": """
title: Demo – självvärdering av koordinatorns kompetens
intro: Bedöm hur väl du nu kan följande. Du svarar på samma påståenden i slutet av utbildningen.
min_label: Kan inte ännu
max_label: Kan handleda andra
statements:
  - {id: prosessi, outcome: Processen för stöd av arbetsförmågan, text: Jag kan beskriva processen på arbetsplatsen.}
  - {id: palvelut, outcome: Tjänster och förmåner, text: Jag känner till de centrala rehabiliteringstjänsterna.}
  - {id: keskustelu, outcome: Att ta upp frågan, text: Jag kan ta upp arbetsförmågan konfidentiellt.}
""",
    "en": """
title: Demo – coordinator's competence self-assessment
intro: Assess how well you can do the following now. You answer the same statements at the end of the training.
min_label: I can't yet
max_label: I can guide others
statements:
  - {id: prosessi, outcome: The support process, text: I can describe the work ability support process at a workplace.}
  - {id: palvelut, outcome: Services and benefits, text: I know the main rehabilitation services and benefits.}
  - {id: keskustelu, outcome: Raising the issue, text: I can raise work ability in confidence.}
""",
}
MODULE = {
    "fi": ("Kokeile: tentti, itsearviointi ja lähiopetus", "demo-kokeile"),
    "sv": ("Prova: tentamen, självvärdering och närundervisning", "demo-prova"),
    "en": ("Try it: exam, self-assessment and contact sessions", "demo-try-it"),
}
LESSONS = {
    "alku": {
        "fi": ("Alkukartoitus ja tentti", "demo-alkukartoitus", "Tentti"),
        "sv": ("Inledande kartläggning och tentamen", "demo-kartlaggning", "Tentamen"),
        "en": ("Starting point and exam", "demo-starting-point", "Exam"),
    },
    "loppu": {
        "fi": ("Loppuarviointi", "demo-loppuarviointi", ""),
        "sv": ("Slutvärdering", "demo-slutvardering", ""),
        "en": ("Final self-assessment", "demo-final", ""),
    },
}
BODIES = {
    "alku": """
- self_assessment: {id: alussa, phase: start, estimated_minutes: 5}
- exam:
    id: demotentti
    title: {exam}
    pools: [demo]
    questions_per_attempt: 5
    pass_percent: 60
    max_attempts: 0
    estimated_minutes: 15
- attendance: {id: lahipaivat, sessions_required: 1, estimated_minutes: 180}
""",
    "loppu": """
- self_assessment: {id: lopussa, phase: end, estimated_minutes: 5}
""",
}
SESSIONS = [
    # title, days from today, start and end hour (Helsinki), place; the first is under way whenever the demo is set up
    ("Lähipäivä: työkyvyn puheeksiotto (demo, käynnissä)", 0, None, None, "Esimerkin AMK, luokka A101"),
    ("Lähipäivä: palvelupolut (demo)", 3, 9, 12, "Esimerkin AMK, luokka A101"),
]


def _yaml(text: str):
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def demo_assessments(*, training: TrainingPage, cohort, teacher, learner) -> None:
    """Create or update the demo material and sessions; the learner joins the cohort, the trainer teaches it."""
    reader = Reader(DEMO)
    pool = PoolSpec(
        key="demo", sources={lang: Source(DEMO / f"pool.{lang}.yaml", _yaml(POOL[lang])) for lang in LANGUAGES}
    )
    reader.check_pool(pool.sources)
    assessment = {lang: Source(DEMO / f"sa.{lang}.yaml", _yaml(SELF_ASSESSMENT[lang])) for lang in LANGUAGES}
    reader.check_self_assessment(assessment)
    bodies = {key: _yaml(body.replace("{exam}", "Tentti")) for key, body in BODIES.items()}
    for key, body in bodies.items():
        source, ids = Source(DEMO / f"{key}.yaml", _yaml("body: []")), set()
        for block in body:
            reader.check_block(source, block, ids)
            if "exam" in block:
                reader.check_exam_draw(
                    Source(source.path, block["exam"]), {"demo": pool.sources["fi"].data["questions"]}
                )
    if reader.problems:
        raise ContentError(reader.problems)
    spec = TrainingSpec(key="demo-coordinator", pools=[pool], self_assessment=assessment)
    writer = Writer()
    writer.locales = {code: Locale.objects.get(language_code=code) for code in LANGUAGES}
    writer.assessment_snippets(spec)
    trainings = {page.locale.language_code: page for page in [training, *training.get_translations()]}
    for language in LANGUAGES:
        if language not in trainings:
            continue
        title, slug = MODULE[language]
        module = writer.upsert(
            ModulePage, trainings[language], translation_key("demo", "module"), language, {"title": title, "slug": slug}
        )
        for key, texts in LESSONS.items():
            lesson_title, lesson_slug, exam_title = texts[language]
            lesson_key = translation_key("demo", "lesson", key)
            body = _yaml(BODIES[key].replace("{exam}", exam_title))
            values = {
                "title": lesson_title,
                "slug": lesson_slug,
                "estimated_minutes": 30,
                "completion_rule": "opened",
                "pass_percent": None,
                "body": lesson_body(
                    lesson_key,
                    body,
                    pools=writer.pools[spec.key][language],
                    assessment=writer.assessments[spec.key][language],
                ),
            }
            writer.upsert(LessonPage, module, lesson_key, language, values, streams=("body",))
    _people(cohort, teacher, learner, training)
    _sessions(cohort, teacher, training)


def _people(cohort, teacher, learner, training) -> None:
    from lms.courses.services import enrolment_create
    from lms.organisations.models import CohortLearner

    cohort.teachers.add(teacher)
    enrolment_create(user=learner, training=training, invited=True, notify=False)
    CohortLearner.objects.get_or_create(cohort=cohort, user=learner)


def _sessions(cohort, teacher, training) -> None:
    """One session under way now (so the check-in code can be tried) and one in a few days; moved forward
    when the demo is set up again after they have passed."""
    from lms.schedule.models import ContactSession

    now = datetime.datetime.now(HELSINKI)
    for title, days, start, end, place in SESSIONS:
        if start is None:
            starts_at = now.replace(minute=0, second=0, microsecond=0)
            ends_at = starts_at + datetime.timedelta(hours=3)
        else:
            day = (now + datetime.timedelta(days=days)).replace(second=0, microsecond=0)
            starts_at, ends_at = day.replace(hour=start, minute=0), day.replace(hour=end, minute=0)
        session = ContactSession.objects.filter(cohort=cohort, title=title).first()
        if session is None:
            ContactSession.objects.create(
                training=training,
                cohort=cohort,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                created_by=teacher,
            )
        elif session.ends_at <= now or (start is None and session.starts_at > now):
            session.starts_at, session.ends_at = starts_at, ends_at
            session.save(update_fields=["starts_at", "ends_at", "updated_at"])
