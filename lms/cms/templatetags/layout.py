"""Markup that pages of every app share."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.tag
def table_scroll(parser, token):
    """``{% table_scroll _("Learners") %}<table>…</table>{% endtable_scroll %}``.

    A wide table scrolls sideways in its own box instead of widening the page (WCAG 1.4.10); the
    box is a named region that takes the keyboard focus, so that it can be scrolled without a mouse
    (axe's *scrollable-region-focusable*). One tag, so that every table gets the same box.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the region's name")
    label = parser.compile_filter(bits[1])
    nodelist = parser.parse(("endtable_scroll",))
    parser.delete_first_token()
    return TableScrollNode(label, nodelist)


class TableScrollNode(template.Node):
    def __init__(self, label, nodelist):
        self.label = label
        self.nodelist = nodelist

    def render(self, context):
        table = self.nodelist.render(context)  # already escaped by its own template
        return render_to_string("includes/table_scroll.html", {"label": self.label.resolve(context), "table": table})
