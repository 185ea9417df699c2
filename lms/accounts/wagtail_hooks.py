"""Users in the admin: deleting one is an erasure, and bulk changes of users are audited.

Deleting a user is the same erasure as the person's own *Delete my account*. Wagtail's delete would
log "deleted" under the person's name and keep it, and would stop at a certificate (its enrolment is
protected); the erasure withdraws certificates, anonymises what must stay, scrubs the log of the
person's name and logs that an account was erased, by whom.

Wagtail's bulk "mark as active/inactive" updates rows without a save or a log entry; it is logged
here as a role change (group changes, in bulk or not, are logged by ``handlers``), and the cached
rows of the users it changed are thrown away (``lms.accounts.backends``), so that a deactivated
user's next request is refused.
"""

from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages

from lms import audit

from .backends import forget
from .models import User
from .personal_data import account_erase


@hooks.register("before_delete_user")
def erase_instead_of_deleting(request, user):
    if request.method != "POST":
        return None  # the confirmation page
    account_erase(user=user, erased_by=request.user)
    messages.success(request, _("The account and its personal data have been erased."))
    return redirect("wagtailusers_users:index")


@hooks.register("before_bulk_action")
def erase_users_deleted_in_bulk(request, action_type, objects, action_class_instance):
    """The bulk delete then finds nothing left to delete."""
    if action_type == "delete" and objects and all(isinstance(obj, User) for obj in objects):
        for user in objects:
            account_erase(user=user, erased_by=request.user)


@hooks.register("after_bulk_action")
def forget_users_changed_in_bulk(request, action_type, objects, action_class_instance):
    for user in objects:
        if isinstance(user, User):
            forget(user.pk)


@hooks.register("after_bulk_action")
def log_users_marked_active_or_inactive(request, action_type, objects, action_class_instance):
    if action_type != "set_active_state" or not all(isinstance(obj, User) for obj in objects):
        return
    active = bool(action_class_instance.cleaned_form.cleaned_data.get("mark_as_active"))
    for user in objects:  # as loaded before the update; Wagtail leaves the acting user out
        if user.is_active != active and user.pk != request.user.pk:
            audit.log(instance=user, action=audit.USER_ROLES, user=request.user, data={"active": active})
