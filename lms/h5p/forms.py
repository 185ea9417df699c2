from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import services
from .models import H5PActivity
from .package import PackageError

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class H5PActivityCreateForm(WagtailAdminModelForm):
    """Upload a package; every problem is shown on the upload field, and nothing is stored."""

    package = forms.FileField(
        label=_("H5P file"),
        validators=[FileExtensionValidator(["h5p"])],
        help_text=_("A .h5p file exported from h5p.org, Lumi or another H5P host."),
    )

    class Meta:
        model = H5PActivity
        fields = ["package", "title", "pass_mark"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Defaults to the package's own title.")
        self.parsed = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("package")
        if upload is None:
            return cleaned
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("package", _("The file is larger than 200 MB."))
            return cleaned
        try:
            self.parsed = services.package_read(upload, user=self.for_user)
        except PackageError as error:
            for problem in error.problems:
                self.add_error("package", str(problem))
        return cleaned


class H5PActivityEditForm(WagtailAdminModelForm):
    """Title and pass mark; and, read only, what was filtered out of the content at upload."""

    removed = forms.CharField(
        label=_("Removed from the content at upload"),
        required=False,
        disabled=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markup and fields the package's H5P libraries do not allow; learners never see them."),
    )

    class Meta:
        model = H5PActivity
        fields = ["title", "pass_mark"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        report = self.instance.filter_report if self.instance.pk else []
        self.fields["removed"].initial = "\n".join(report) or _("Nothing.")
