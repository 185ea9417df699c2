from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..completion import block_view
from ..selectors import training_catalogue

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None; block ids are not valid template variable names."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def attempts_left(answer, limit) -> int | None:
    """Tries left at a question allowing ``limit``, None for no limit; an answer stored before tries
    were counted was one try."""
    try:
        limit = int(limit or 0)
    except (TypeError, ValueError):
        limit = 0
    if limit <= 0:
        return None
    return max(0, limit - (answer.get("tries", 1) if answer else 0))


@register.filter
def lang_attr(language: str, page_language: str):
    """`` lang="fi"`` on text in ``language`` within a page in ``page_language`` (an untranslated
    title), so that screen readers switch voice; nothing where they are the same."""
    return mark_safe(_lang(language, page_language))  # noqa: S308 - escaped in _lang


@register.simple_tag(takes_context=True)
def gate_block(context, block):
    """A gate block (an exam, a self-assessment, contact sessions) as its app renders it for this learner."""
    view = block_view(block.block_type)
    return view(context, block) if view else ""


@register.simple_tag(takes_context=True)
def catalogue(context, locale_id):
    return training_catalogue(locale_id=locale_id, user=context["request"].user)


@register.simple_tag(takes_context=True)
def outline_nav(context, outline, module_entry=None):
    """The training's outline for the sidebar: built in Python, it is on every lesson page.

    A template loop over 50 lessons with their conditions took most of a lesson page's rendering
    time, and ``format_html`` per lesson still a fifth of it; titles and URLs are escaped here, the
    rest is our own markup.
    """
    page = context.get("page")
    current = getattr(page, "pk", None)
    current_module = module_entry.pk if module_entry else None
    language = outline.language
    aria_current = ' aria-current="page"'
    html = [f'<nav class="outline" aria-label="{escape(gettext("Training outline"))}">']
    if outline.parts:
        html.append('<ol class="parts">')
        for part in outline.parts:
            counts = f'<span class="muted small">{part.done}/{part.total}</span>' if outline.enrolment else ""
            html.append(
                f'<li class="part{" current" if part.pk == current else ""}">'
                f'<a class="part-title" href="{escape(part.url)}"{aria_current if part.pk == current else ""}'
                f"{_lang(part.language, language)}>"
                f"{escape(part.title)}</a>{counts}"
            )
            _modules(html, part.modules, outline, current, current_module)
            html.append("</li>")
        html.append("</ol>")
    else:
        _modules(html, outline.modules, outline, current, current_module)
    html.append("</nav>")
    return mark_safe("".join(html))  # noqa: S308 - every value is escaped


def _modules(html: list[str], modules, outline, current, current_module) -> None:
    completed = f'<span class="visually-hidden">({escape(gettext("completed"))})</span>'
    tick = '<span class="tick" aria-hidden="true">✓</span>'
    aria_current = ' aria-current="page"'
    language = outline.language
    html.append('<ol class="modules">')
    for module in modules:
        counts = f'<span class="muted small">{module.done}/{module.total}</span>' if outline.enrolment else ""
        html.append(
            f'<li class="module{" current" if module.pk == current_module else ""}">'
            f'<a class="module-title" href="{escape(module.url)}"{_lang(module.language, language)}>'
            f"{escape(module.title)}</a>{counts}"
            '<ol class="lessons">'
        )
        for lesson in module.lessons:
            here = lesson.pk == current
            done = lesson.completed
            html.append(
                f'<li class="lesson {escape(lesson.status)}{" current" if here else ""}">{tick if done else ""}'
                f'<a href="{escape(lesson.url)}"{aria_current if here else ""}{_lang(lesson.language, language)}>'
                f"{escape(lesson.title)}</a>"
                f"{completed if done else ''}</li>"
            )
        html.append("</ol></li>")
    html.append("</ol>")


def _lang(language: str, page_language: str) -> str:
    return f' lang="{escape(language)}"' if language and page_language and language != page_language else ""
