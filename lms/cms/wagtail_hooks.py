from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def start_admin_widgets_without_inline_scripts():
    """See static/js/admin-csp.js: Wagtail's inline scripts, run from a file under our CSP."""
    return format_html('<script src="{}"></script>', static("js/admin-csp.js"))
