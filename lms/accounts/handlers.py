"""Role changes go to the audit log, wherever they are made.

Wagtail logs that a user or a group was edited ("Edit"), not what changed. These handlers add an
entry saying which groups a user was added to or removed from, whether they became or stopped
being an administrator (superuser) or active, and which permissions a group was granted or lost;
the admin's bulk "assign role" action, which Wagtail does not log at all, is covered too. In the
admin the actor is the logged-in user (Wagtail's log context); elsewhere (shell, commands) the
entry says *system*.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from lms import audit

FLAGS = {"is_superuser": "superuser", "is_active": "active"}


def _permission_name(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _changed(action: str, instance, pk_set, field: str) -> tuple[str, list] | None:
    """``("added" | "removed", [(owner, other), ...])`` for an m2m change, or None for no change."""
    if action == "pre_clear":
        pk_set = set(getattr(instance, field).values_list("pk", flat=True))
        kind = "removed"
    elif action in ("post_add", "post_remove"):
        kind = "added" if action == "post_add" else "removed"
    else:
        return None
    if not pk_set:
        return None
    return kind, sorted(pk_set)


def user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``user.groups.add/remove/set/clear`` and ``group.user_set.add/...`` (the bulk "assign role")."""
    changed = _changed(action, instance, pk_set, "user_set" if reverse else "groups")
    if changed is None:
        return
    kind, pks = changed
    key = "groups_added" if kind == "added" else "groups_removed"
    if reverse:  # instance is a group, pks are users
        for user in get_user_model().objects.filter(pk__in=pks):
            audit.log(instance=user, action=audit.USER_ROLES, data={key: [instance.name]})
    else:
        names = list(Group.objects.filter(pk__in=pks).order_by("name").values_list("name", flat=True))
        audit.log(instance=instance, action=audit.USER_ROLES, data={key: names})


def group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    changed = _changed(action, instance, pk_set, "group_set" if reverse else "permissions")
    if changed is None:
        return
    kind, pks = changed
    key = "granted" if kind == "added" else "withdrawn"
    if reverse:  # instance is a permission, pks are groups
        for group in Group.objects.filter(pk__in=pks):
            audit.log(instance=group, action=audit.GROUP_PERMISSIONS, data={key: [_permission_name(instance)]})
    else:
        permissions = Permission.objects.filter(pk__in=pks).select_related("content_type")
        names = sorted(_permission_name(permission) for permission in permissions)
        audit.log(instance=instance, action=audit.GROUP_PERMISSIONS, data={key: names})


def user_flags_before_save(sender, instance, update_fields=None, **kwargs):
    """Remember which of the role flags a save of an existing user changes (one query, only then)."""
    instance._audit_flags = {}
    if instance.pk is None or (update_fields is not None and not FLAGS.keys() & set(update_fields)):
        return
    stored = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()
    if stored is not None:
        instance._audit_flags = {
            name: getattr(instance, field) for field, name in FLAGS.items() if stored[field] != getattr(instance, field)
        }


def user_flags_after_save(sender, instance, created, **kwargs):
    changes = getattr(instance, "_audit_flags", None)
    if changes and not created:
        audit.log(instance=instance, action=audit.USER_ROLES, data=changes)
    instance._audit_flags = {}
