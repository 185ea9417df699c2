"""Factories for users and training page trees."""

import uuid
from decimal import Decimal

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from lms.courses.enums import CompletionRule, QuestionKind
from lms.courses.models import LessonPage, ModulePage, PartPage, TrainingIndexPage, TrainingPage


class UserFactory(factory.django.DjangoModelFactory):
    email = factory.Sequence(lambda n: f"learner{n}@example.com")
    certificate_name = factory.Faker("name", locale="fi_FI")
    password = factory.django.Password("correct horse battery")  # hashed before the insert: one save

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class TrainingIndexPageFactory(wagtail_factories.PageFactory):
    title = "Koulutukset"
    slug = "koulutukset"

    class Meta:
        model = TrainingIndexPage


class TrainingPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Koulutus {n}")
    slug = factory.Sequence(lambda n: f"koulutus-{n}")
    summary = "Tiivistelmä."

    class Meta:
        model = TrainingPage


class PartPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Osa {n}")
    slug = factory.Sequence(lambda n: f"osa-{n}")

    class Meta:
        model = PartPage


class ModulePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Moduuli {n}")
    slug = factory.Sequence(lambda n: f"moduuli-{n}")

    class Meta:
        model = ModulePage


class LessonPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Oppitunti {n}")
    slug = factory.Sequence(lambda n: f"oppitunti-{n}")
    completion_rule = CompletionRule.OPENED

    class Meta:
        model = LessonPage


def question(block_id: str | None = None, *, kind=QuestionKind.SINGLE, correct=(0,), options=3) -> dict:
    """A question block in StreamField raw form; options at the ``correct`` indexes are right."""
    return {
        "type": "question",
        "id": block_id or str(uuid.uuid4()),
        "value": {
            "kind": kind,
            "prompt": "<p>Kysymys?</p>",
            "options": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {"text": f"Vaihtoehto {n}", "correct": n in correct, "feedback": f"Palaute {n}"},
                }
                for n in range(options)
            ],
        },
    }


def reflection(block_id: str | None = None) -> dict:
    return {"type": "reflection", "id": block_id or str(uuid.uuid4()), "value": {"prompt": "<p>Pohdi.</p>"}}


def text(html="<p>Teksti.</p>") -> dict:
    return {"type": "text", "id": str(uuid.uuid4()), "value": html}


def build_training(index, *, modules=1, lessons=3, rule=CompletionRule.OPENED, body=None, **fields) -> TrainingPage:
    """A live training with ``modules`` x ``lessons`` lessons under ``index``."""
    training = TrainingPageFactory(parent=index, **fields)
    for _m in range(modules):
        module = ModulePageFactory(parent=training)
        for _n in range(lessons):
            LessonPageFactory(parent=module, completion_rule=rule, body=body if body is not None else [text()])
    return training


def build_parted_training(
    index,
    *,
    parts=2,
    modules=1,
    lessons=2,
    credits=Decimal("5"),
    grading="pass_fail",
    body=None,
    minutes=None,
    **fields,
) -> TrainingPage:
    """A live training in ``parts`` parts of ``modules`` x ``lessons`` lessons, each part worth ``credits``.

    Each lesson's estimated minutes are set so that its part's workload backs exactly ``credits``
    (``KYKY_HOURS_PER_CREDIT``), unless ``minutes`` says otherwise.
    """
    from django.conf import settings

    if minutes is None:
        minutes = -(-int(credits * settings.KYKY_HOURS_PER_CREDIT * 60) // (modules * lessons))
    training = TrainingPageFactory(parent=index, ects_credits=credits * parts, **fields)
    for _p in range(parts):
        part = PartPageFactory(parent=training, ects_credits=credits, grading=grading)
        for _m in range(modules):
            module = ModulePageFactory(parent=part)
            for _n in range(lessons):
                LessonPageFactory(
                    parent=module,
                    estimated_minutes=minutes,
                    body=body() if callable(body) else body if body is not None else [text()],
                )
    return training


def translate_training(training, locale, title: str, pages, page_title) -> TrainingPage:
    """``training`` published in ``locale`` as ``title``, with each of ``pages`` (its descendants)
    translated as ``page_title(page)``; the parents come along."""
    translated = training.copy_for_translation(locale, copy_parents=True, alias=False)
    translated.title = title
    translated.save_revision().publish()
    for page in pages:
        copy = page.copy_for_translation(locale)
        copy.title = page_title(page)
        copy.save_revision().publish()
    return translated


def user_with_permissions(*permissions: str, **fields):
    """A user holding ``permissions`` ("app_label.codename"), fetched again so no stale permission cache."""
    user = UserFactory(**fields)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)


H5P_INSTALLER = ("h5p.install_h5plibrary",)
CERTIFICATE_STAFF = ("certificates.view_certificate", "certificates.change_certificate", "wagtailadmin.access_admin")


def assignment(block_id: str | None = None, *, grading="pass_fail", hand_in="both", criteria=2, **value) -> dict:
    """An assignment block in raw form: a rubric of ``criteria`` criteria with three levels each."""
    return {
        "type": "assignment",
        "id": block_id or str(uuid.uuid4()),
        "value": {
            "title": "Kehittämistehtävä",
            "instructions": "<p>Kuvaa oman työyhteisösi työkyvyn tuen prosessi.</p>",
            "hand_in": hand_in,
            "file_types": ["pdf", "docx", "odt", "txt"],
            "max_file_mb": 1,
            "max_files": 2,
            "rubric": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {
                        "name": f"Kriteeri {n}",
                        "description": "",
                        "levels": [
                            {"type": "item", "id": str(uuid.uuid4()), "value": {"label": label, "description": ""}}
                            for label in ("Puutteellinen", "Hyvä", "Erinomainen")
                        ],
                    },
                }
                for n in range(criteria)
            ],
            "grading": grading,
            "estimated_hours": "20.0",
            "deadline": None,
            "required": True,
            **value,
        },
    }
