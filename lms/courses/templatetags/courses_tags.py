from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from ..selectors import training_catalogue

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None; block ids are not valid template variable names."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def catalogue(context, locale):
    return training_catalogue(locale=locale, user=context["request"].user)


TICK = format_html('<span class="tick" aria-hidden="true">{}</span>', "✓")
CURRENT = format_html(' aria-current="{}"', "page")


@register.simple_tag(takes_context=True)
def outline_nav(context, outline, module_entry=None):
    """The training's outline for the sidebar: built in Python, it is on every lesson page.

    A template loop over 50 lessons with their conditions took most of a lesson page's rendering time.
    """
    page = context.get("page")
    current = getattr(page, "pk", None)
    completed = gettext("completed")
    modules = []
    for module in outline.modules:
        lessons = []
        for lesson in module.lessons:
            here = lesson.pk == current
            lessons.append(
                format_html(
                    '<li class="lesson {}{}">{}<a href="{}"{}>{}</a>{}</li>',
                    lesson.status,
                    " current" if here else "",
                    TICK if lesson.completed else "",
                    lesson.url,
                    CURRENT if here else "",
                    lesson.title,
                    format_html('<span class="visually-hidden">({})</span>', completed) if lesson.completed else "",
                )
            )
        modules.append(
            format_html(
                '<li class="module{}"><a class="module-title" href="{}">{}</a>{}<ol class="lessons">{}</ol></li>',
                " current" if module_entry and module.pk == module_entry.pk else "",
                module.url,
                module.title,
                format_html('<span class="muted small">{}/{}</span>', module.done, module.total)
                if outline.enrolment
                else "",
                format_html_join("", "{}", ((item,) for item in lessons)),
            )
        )
    return format_html(
        '<nav class="outline" aria-label="{}"><ol class="modules">{}</ol></nav>',
        gettext("Training outline"),
        format_html_join("", "{}", ((item,) for item in modules)),
    )
