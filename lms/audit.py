"""Kyky's audit trail of staff actions, kept in Wagtail's own log.

Administrators read it in the admin under *Reports → Site history* (and on an object's *History*),
filtered by user, action, type and date, next to Wagtail's own entries (page edits, publishing,
user and group edits). Log an action with one call, after the change, in the same transaction::

    from lms import audit

    audit.log(instance=certificate, action=audit.CERTIFICATE_REVOKE, user=request.user, data={"reason": reason})

``instance`` is the object acted on (any saved model instance; pages get a page log entry, shown
in the page's history too), ``user`` the member of staff who did it (``None``: the user of
Wagtail's log context, which the admin sets to the logged-in user; else *system*), ``data`` a small
JSON-ready dict. Non-superusers see entries about the models they have a permission for.

The entry's label is ``str(instance)`` as it is at that moment and is kept for good, so the
``__str__`` of a model that belongs to a person must not print their name (a certificate prints
its code), or pass ``title=``. Put facts in ``data``, never personal data of learners. An app whose
objects belong to a person calls ``audit.forget(objects)`` in its personal-data eraser, after
removing the personal data from them: the labels and data of earlier entries about them are
scrubbed, so nothing in the log names the person afterwards. Account erasure (``ACCOUNT_ERASE``)
and changes of users' groups and flags and of groups' permissions (``lms.accounts.handlers``) are
logged without anyone calling this module.

To add an action: a constant below and an entry in ``ACTIONS``: its label (the *Action* filter and
column), its message (a gettext string with ``%(key)s`` placeholders filled from ``data``, or a
function of ``data``), and the message shown when ``data`` lacks the keys (scrubbed at erasure).
Both are shown in the reader's language.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as wagtail_log
from wagtail.models import ModelLogEntry, PageLogEntry

CERTIFICATE_REVOKE = "kyky.certificate.revoke"
CERTIFICATE_REISSUE = "kyky.certificate.reissue"
CERTIFICATE_WITHDRAW = "kyky.certificate.withdraw"
CERTIFICATES_REGENERATE = "kyky.certificates.regenerate"
ACCOUNT_ERASE = "kyky.account.erase"
USER_ROLES = "kyky.user.roles"
COHORT_INVITE = "kyky.cohort.invite"
GROUP_PERMISSIONS = "kyky.group.permissions"
COHORT_ARCHIVED = "kyky.cohort.archive"
COHORT_RESTORED = "kyky.cohort.restore"
ORGANISATION_CREATE = "kyky.organisation.create"
ORGANISATION_EDIT = "kyky.organisation.edit"
MEMBER_ADD = "kyky.organisation.member_add"
MEMBER_INVITE = "kyky.organisation.member_invite"
MEMBER_REMOVE = "kyky.organisation.member_remove"
MEMBER_ROLE = "kyky.organisation.member_role"
COHORT_CREATE = "kyky.cohort.create"
COHORT_EDIT = "kyky.cohort.edit"
ASSIGNMENT_APPROVE = "kyky.assignment.approve"
ASSIGNMENT_RETURN = "kyky.assignment.return"
LRS_CREATE = "kyky.lrs.create"
LRS_EDIT = "kyky.lrs.edit"
LRS_RETRY = "kyky.lrs.retry"
STATEMENTS_EXPORT = "kyky.records.export"


def _names(values) -> str:
    return ", ".join(str(value) for value in values)


def _roles_message(data: dict) -> str:
    parts = []
    if data.get("groups_added"):
        parts.append(_("added to %(groups)s") % {"groups": _names(data["groups_added"])})
    if data.get("groups_removed"):
        parts.append(_("removed from %(groups)s") % {"groups": _names(data["groups_removed"])})
    if "superuser" in data:
        parts.append(_("administrator (superuser): yes") if data["superuser"] else _("administrator (superuser): no"))
    if "active" in data:
        parts.append(_("active: yes") if data["active"] else _("active: no"))
    return "; ".join(str(part) for part in parts)


def _permissions_message(data: dict) -> str:
    parts = []
    if data.get("granted"):
        parts.append(_("granted %(permissions)s") % {"permissions": _names(data["granted"])})
    if data.get("withdrawn"):
        parts.append(_("withdrawn %(permissions)s") % {"permissions": _names(data["withdrawn"])})
    return "; ".join(str(part) for part in parts)


# action: (label, message, the message when ``data`` lacks its keys, e.g. after erasure scrubbed it)
ACTIONS = {
    CERTIFICATE_REVOKE: (_("Revoke certificate"), _("Revoked: %(reason)s"), _("Revoked")),
    CERTIFICATE_REISSUE: (
        _("Reissue certificate"),
        _("Revoked and reissued as %(new_code)s: %(reason)s"),
        _("Revoked and reissued"),
    ),
    CERTIFICATE_WITHDRAW: (
        _("Withdraw certificate"),
        _("Withdrawn: its holder's account was erased"),
        _("Withdrawn: its holder's account was erased"),
    ),
    CERTIFICATES_REGENERATE: (
        _("Regenerate certificate PDFs"),
        _("Started regenerating the PDFs of %(total)s certificates (job %(job)s)"),
        _("Started regenerating the certificate PDFs"),
    ),
    ACCOUNT_ERASE: (
        _("Erase account"),
        _("An account and its personal data were erased"),
        _("An account and its personal data were erased"),
    ),
    USER_ROLES: (_("Change roles"), _roles_message, _("Roles changed")),
    COHORT_INVITE: (
        _("Invite from a student list"),
        _("%(filename)s: %(invited)s invited, %(already)s already invited or in the group, %(errors)s errors"),
        _("Invited from a student list"),
    ),
    GROUP_PERMISSIONS: (_("Change group permissions"), _permissions_message, _("Permissions changed")),
    ASSIGNMENT_APPROVE: (_("Approve assignment"), _("Approved round %(round)s: %(grade)s"), _("Approved")),
    ASSIGNMENT_RETURN: (_("Return assignment"), _("Returned round %(round)s for revision"), _("Returned")),
    STATEMENTS_EXPORT: (
        _("Export learning records"),
        lambda data: _export_message(data),
        _("Statements exported"),
    ),
    COHORT_ARCHIVED: (_("Archive cohort"), _("Archived: nobody can join any more"), _("Archived")),
    COHORT_RESTORED: (_("Restore cohort"), _("Restored from the archive"), _("Restored")),
    ORGANISATION_CREATE: (_("Create organisation"), _("Created (%(kind)s)"), _("Created")),
    ORGANISATION_EDIT: (_("Edit organisation"), _("Changed: %(fields)s"), _("Changed")),
    MEMBER_ADD: (_("Add staff member"), _("Account %(user)s added as %(role)s"), _("A staff member was added")),
    MEMBER_INVITE: (
        _("Invite staff member"),
        _("Invitation %(invitation)s sent: %(role)s"),
        _("An invitation was sent"),
    ),
    MEMBER_REMOVE: (
        _("Remove staff member"),
        _("Account %(user)s removed (was %(role)s)"),
        _("A staff member was removed"),
    ),
    MEMBER_ROLE: (_("Change staff role"), _("Account %(user)s is now %(role)s"), _("A staff role was changed")),
    COHORT_CREATE: (_("Create cohort"), _("Created for training %(training)s"), _("Created")),
    COHORT_EDIT: (_("Edit cohort"), _("Changed: %(fields)s"), _("Changed")),
    LRS_CREATE: (_("Add LRS"), _("Statements will be forwarded to %(url)s"), _("Added")),
    LRS_EDIT: (_("Edit LRS"), _("Changed: %(fields)s"), _("Changed")),
    LRS_RETRY: (_("Retry LRS"), _("%(count)s refused statements queued again"), _("Refused statements queued again")),
}


class _Formatter(LogFormatter):
    fallback = ""

    def format_message(self, log_entry):
        try:
            message = self.message(log_entry.data) if callable(self.message) else self.message % log_entry.data
        except (KeyError, TypeError, ValueError):
            message = ""
        return message or self.fallback


def _export_message(data: dict) -> str:
    kind = _("Statements exported, pseudonymised for research") if data.get("research") else _("Statements exported")
    return f"{kind} ({data.get('from') or '…'} – {data.get('to') or '…'})"


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for action, (label, message, fallback) in ACTIONS.items():
        formatter = type("KykyLogFormatter", (_Formatter,), {"label": label, "fallback": fallback})
        formatter.message = staticmethod(message) if callable(message) else message
        actions.register_action(action)(formatter)


def log(*, instance: models.Model, action: str, user=None, data: dict | None = None, title: str | None = None):
    """Record that ``user`` did ``action`` to ``instance``; returns the log entry."""
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not one of Kyky's audit actions (lms.audit.ACTIONS)")
    return wagtail_log(instance=instance, action=action, user=user, data=data or {}, title=title)


def neutral_label(instance: models.Model) -> str:
    """A label that names the kind of object and its id, nothing about a person."""
    return f"{instance._meta.model_name} {instance.pk}"


def forget(instances, *, label=None) -> int:
    """Scrub the labels and data of every log entry about ``instances`` (erasure); returns how many.

    The labels become ``label(instance)`` (default: ``str(instance)``, so scrub after the object has
    lost its personal data, or pass ``neutral_label``). Who did what, and when, stays.
    """
    label = label or str
    changed = 0
    for instance in instances:
        content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
        changed += ModelLogEntry.objects.filter(content_type=content_type, object_id=str(instance.pk)).update(
            label=label(instance), data={}
        )
    return changed


def personal_data(user) -> dict:
    """The log entries of actions ``user`` took in the admin, and of actions about their account."""
    user_type = ContentType.objects.get_for_model(user, for_concrete_model=False)

    def entry(e) -> dict:
        return {
            "timestamp": e.timestamp.isoformat(),
            "action": e.action,
            "message": str(e.message),
            "object": e.label,
        }

    by = [entry(e) for model in (ModelLogEntry, PageLogEntry) for e in model.objects.filter(user_id=user.pk)]
    about = [
        entry(e)
        for e in ModelLogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).exclude(user_id=user.pk)
    ]
    return {"actions_taken": sorted(by, key=lambda e: e["timestamp"]), "about_the_account": about}


def erase(user) -> None:
    """Entries about the account lose the person's name; their own admin actions keep only the id."""
    forget([user], label=neutral_label)
