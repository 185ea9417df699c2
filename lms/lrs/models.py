"""External learning record stores (LRS) and the outbox of statements to deliver to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .addresses import endpoint_url_check
from .enums import DeliveryState


class LRSEndpoint(models.Model):
    """An LRS that receives Kyky's xAPI statements: the programme's own, or one organisation's.

    Which statements it receives (``services.statements_for``): a programme endpoint (no
    organisation) every statement; an organisation's only those of learners in its cohorts, about
    the cohort's training. ``trainings`` narrows either to those trainings.
    """

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lrs_endpoints",
        verbose_name=_("organisation"),
        help_text=_("Empty: the programme's own LRS."),
    )
    url = models.URLField(
        _("endpoint address"),
        max_length=500,
        validators=[endpoint_url_check],
        help_text=_("The LRS's xAPI endpoint, e.g. https://lrs.example.fi/xAPI; statements go to …/statements."),
    )
    username = models.CharField(_("user name (basic auth)"), max_length=200)
    secret = models.CharField(_("secret (basic auth)"), max_length=500)
    trainings = models.ManyToManyField(
        "courses.TrainingPage",
        blank=True,
        related_name="+",
        verbose_name=_("trainings"),
        help_text=_("Only statements about these trainings. None chosen: every training."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Statements are sent only while active."))
    # Statements up to this id have been looked at for this endpoint (see services.deliveries_create).
    cursor = models.BigIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("learning record store")
        verbose_name_plural = _("learning record stores")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"


class Delivery(models.Model):
    """The durable outbox: one statement to deliver to one LRS, once.

    Unique per statement and endpoint, so a statement is never queued twice; a row stays pending
    (with its next try) until the LRS takes it, or says no for good.
    """

    statement = models.ForeignKey("h5p.XAPIStatement", on_delete=models.CASCADE, related_name="lrs_deliveries")
    endpoint = models.ForeignKey(LRSEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)  # the LRS's HTTP status; None: no answer
    last_response = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["statement", "endpoint"], name="lrs_delivery_once")]
        indexes = [models.Index(fields=["endpoint", "state", "next_attempt_at"], name="lrs_delivery_due")]

    def __str__(self):
        return f"#{self.pk} {self.state}"
