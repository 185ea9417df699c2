"""Setting up the site: the locales and a home page per language, linked as translations."""

from django.conf import settings
from django.db import transaction
from wagtail.models import Collection, Locale, Page, Site

from .models import HomePage

HOME_TITLES = {"fi": "Kyky", "sv": "Kyky", "en": "Kyky"}


@transaction.atomic
def site_setup() -> dict[str, HomePage]:
    """Ensure every configured language has a locale and a live home page; return them by code.

    The default-language home page becomes the default site's root (replacing Wagtail's
    placeholder), and the others are its translations, so ``/sv/`` and ``/en/`` resolve. Running it
    again changes nothing.
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
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Kyky")
    elif site.root_page_id != home.pk:
        placeholder = site.root_page
        site.root_page = home
        site.site_name = site.site_name or "Kyky"
        site.save()
        if type(placeholder.specific) is Page and not placeholder.get_children().exists():
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
