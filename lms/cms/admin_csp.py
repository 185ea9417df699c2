"""Wagtail's admin without inline scripts, so that it runs under Kyky's Content-Security-Policy.

Wagtail 8 still starts a few widgets with an inline ``<script>``: chooser widgets used as form
fields (``BaseChooser.render``, e.g. the page chooser of a training's prerequisites), inline
panels, multiple-chooser panels and the date and time pickers. Kyky's copies of those templates
(``templates/wagtailadmin/``) and the ``render`` below leave a hidden element naming what to start
and with which options instead; ``static/js/admin-csp.js`` starts it. Allowing 'unsafe-inline'
for the admin instead would let any script injected into an admin page run.
"""

import json

from django.utils.html import format_html
from wagtail.admin.widgets.chooser import BaseChooser


def chooser_render(self, name, value, attrs=None, renderer=None):
    """``BaseChooser.render``, with the widget's start-up as data instead of an inline script."""
    try:
        id_ = attrs["id"]
    except (KeyError, TypeError) as error:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from error
    value_data = self.get_value_data(value)
    return format_html(
        '{}<span hidden data-kyky-init="{}" data-kyky-target="{}" data-kyky-options="{}"></span>',
        self.render_html(name, value_data, attrs),
        self.js_constructor,
        id_,
        json.dumps(self.get_js_init_options(id_, name, value_data)),
    )


def install() -> None:
    BaseChooser.render = chooser_render
