from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .enums import Language


class UserManager(BaseUserManager):
    """Users are identified by their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    certificate_name = models.CharField(
        _("name on certificates"),
        max_length=200,
        blank=True,
        help_text=_("Your full name as it should appear on certificates."),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.FI
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.certificate_name or self.get_full_name() or self.email

    @cached_property
    def staff_areas(self) -> frozenset[str]:
        """Which staff pages the header links to: ``cohorts`` for organisation staff, ``programme`` for TTL.

        Kept with the cached user row (``lms.accounts.backends``), so the header costs no query.
        """
        from lms.organisations.selectors import staff_areas

        return staff_areas(self)


class IdentityKind(models.TextChoices):
    SAML = "saml", "SAML 2.0"
    LTI = "lti", "LTI 1.3"


class ExternalIdentity(models.Model):
    """A login of ``user`` at another system: a SAML identity provider (HAKA, Suomi.fi) or an LTI platform.

    ``issuer`` and ``subject`` are what that system says, unchanged (the IdP's entityID and the
    person's persistent identifier; the LTI platform's ``iss`` and ``sub``), so the same person comes
    back to the same account. ``principal`` is the eduPersonPrincipalName where one is released: the
    one identifier a HAKA login and a launch from the same university's Moodle can share.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    kind = models.CharField(max_length=10, choices=IdentityKind.choices)
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=500)
    principal = models.CharField(_("eduPersonPrincipalName"), max_length=254, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="identities"
    )
    student_number = models.CharField(_("student number"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("external login")
        verbose_name_plural = _("external logins")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="externalidentity_unique")]
        indexes = [models.Index(fields=["principal"], name="externalidentity_principal")]

    def __str__(self):
        return f"{self.kind}: {self.subject} @ {self.issuer}"
