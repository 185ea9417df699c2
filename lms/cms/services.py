"""Setting up the site (the locales, a home page per language, the statement and the notice) and
receiving feedback."""

import datetime
import uuid
from pathlib import Path

import markdown
import yaml
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Collection, Locale, Page, Site

from lms import links
from lms.tasks import enqueue_on_commit

from . import tasks  # tasks call services too; attributes are read only when queueing
from .enums import LegalPageKind
from .models import Feedback, HomePage, LegalPage

HOME_TITLES = {"fi": "Kyky", "sv": "Kyky", "en": "Kyky"}
TEXTS = Path(__file__).resolve().parent / "texts"
NAMESPACE = uuid.UUID("0b7e3c52-8d6f-4d0e-9f3c-2a6b1f5e7c41")  # translation keys of the statement and the notice


@transaction.atomic
def site_setup() -> dict[str, HomePage]:
    """Ensure every configured language has a locale and a live home page; return them by code.

    The default-language home page becomes the default site's root (replacing Wagtail's
    placeholder), and the others are its translations, so ``/sv/`` and ``/en/`` resolve. The default
    site's host and port follow BASE_URL (``make run`` sets it), so Wagtail's own absolute links do
    too. Running it again changes nothing.
    """
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES}
    default = locales[settings.LANGUAGE_CODE]
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=default))
    home = HomePage.objects.filter(locale=default).first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title=HOME_TITLES.get(default.language_code, "Kyky"),
                slug=f"home-{default.language_code}",
                locale=default,
            )
        )
        home.save_revision().publish()
    hostname, port = links.public_host()  # so that Wagtail's page.full_url agrees with BASE_URL
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True, site_name="Kyky")
    elif (site.root_page_id, site.hostname, site.port) != (home.pk, hostname, port):
        placeholder = site.root_page
        site.root_page, site.hostname, site.port = home, hostname, port
        site.site_name = site.site_name or "Kyky"
        site.save()
        if placeholder.pk != home.pk and type(placeholder.specific) is Page and not placeholder.get_children().exists():
            placeholder.delete()
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    homes = {default.language_code: home}
    for code, locale in locales.items():
        if locale == default:
            continue
        translated = HomePage.objects.filter(locale=locale, translation_key=home.translation_key).first()
        if translated is None:
            translated = root.add_child(
                instance=HomePage(
                    title=HOME_TITLES.get(code, "Kyky"),
                    slug=f"home-{code}",
                    locale=locale,
                    translation_key=home.translation_key,
                )
            )
            translated.save_revision().publish()
        homes[code] = translated
    return homes


@transaction.atomic
def feedback_submit(
    *,
    topic: str,
    message: str,
    name: str = "",
    email: str = "",
    wants_reply: bool = False,
    page_url: str = "",
    language: str,
    user=None,
) -> Feedback:
    """Store a message from the contact form, then e-mail the recipients once it is committed."""
    feedback = Feedback.objects.create(
        topic=topic,
        message=message,
        name=name,
        email=email,
        wants_reply=wants_reply and bool(email),
        page_url=page_url,
        language=language,
        user=user if user is not None and user.is_authenticated else None,
    )
    enqueue_on_commit(tasks.notify_feedback, feedback.pk)
    return feedback


def feedback_notify(*, feedback_id: int) -> bool:
    """E-mail one message to ``KYKY_FEEDBACK_RECIPIENTS``, once; False when there was nothing to send.

    Plain text only: the message is never rendered as HTML anywhere. The sender's address, if they
    gave one, becomes the Reply-To, so that a reply goes to them and not to the service.
    """
    recipients = list(settings.KYKY_FEEDBACK_RECIPIENTS)
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().filter(pk=feedback_id, notified_at__isnull=True).first()
        if feedback is None or not recipients:
            return False  # sent already (a redelivered task), or nobody to tell: staff read it in the admin
        with translation.override(settings.LANGUAGE_CODE):  # the staff's language
            context = {"feedback": feedback, "admin_url": _admin_url(feedback)}
            subject = render_to_string("cms/email/feedback_subject.txt", context).strip()
            body = render_to_string("cms/email/feedback_body.txt", context)
        EmailMessage(
            " ".join(subject.split()),  # one line, whatever the template holds
            body,
            None,
            recipients,
            reply_to=[feedback.email] if feedback.email else None,
        ).send()
        feedback.notified_at = timezone.now()
        feedback.save(update_fields=["notified_at"])
    return True


def _admin_url(feedback: Feedback) -> str:
    return links.absolute_url(reverse("cms_feedback:edit", args=[feedback.pk]))


class SitePageError(Exception):
    """A file under ``lms/cms/texts`` is missing or malformed; nothing was written."""


@transaction.atomic
def site_pages_setup(*, folder: Path = TEXTS, update: bool = False) -> dict[str, int]:
    """Create the accessibility statement and the privacy notice in every language from ``folder``.

    A page that exists is left alone, because staff edit these in the admin (the review date, new
    gaps); ``update`` overwrites the pages with the files instead. Every language version of a kind
    shares one translation key, so the language switch links them. Returns counts by outcome.
    """
    texts = _read_site_texts(folder)
    homes = site_setup()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for kind, languages in texts.items():
        key = uuid.uuid5(NAMESPACE, kind)
        for language, data in languages.items():
            values = {
                "title": data["title"],
                "slug": data["slug"],
                "kind": kind,
                "prepared_on": data["prepared_on"],
                "reviewed_on": data["reviewed_on"],
                "body": [{"type": "text", "value": markdown.markdown(data["body"].strip(), extensions=["sane_lists"])}],
            }
            page = LegalPage.objects.filter(translation_key=key, locale__language_code=language).first()
            if page is None:
                page = LegalPage(translation_key=key, locale=homes[language].locale, **values)
                homes[language].add_child(instance=page)
                page.save_revision().publish()
                counts["created"] += 1
            elif update:
                for name, value in values.items():
                    setattr(page, name, value)
                page.save_revision().publish()
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts


def _read_site_texts(folder: Path) -> dict[str, dict[str, dict]]:
    texts: dict[str, dict[str, dict]] = {}
    problems = []
    for kind in LegalPageKind.values:
        for language, _name in settings.LANGUAGES:
            path = Path(folder) / f"{kind}.{language}.yaml"
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                problems.append(f"{path}: {error}")
                continue
            missing = {"title", "slug", "prepared_on", "reviewed_on", "body"} - set(data or {})
            if missing or data.get("kind") != kind:
                problems.append(f"{path}: needs kind: {kind} and {', '.join(sorted(missing)) or 'nothing else'}")
            elif not all(isinstance(data[d], datetime.date) for d in ("prepared_on", "reviewed_on")):
                problems.append(f"{path}: prepared_on and reviewed_on are dates (YYYY-MM-DD)")
            else:
                texts.setdefault(kind, {})[language] = data
    if problems:
        raise SitePageError("\n".join(problems))
    return texts
