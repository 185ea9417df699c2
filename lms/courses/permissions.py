"""The Trainers group: who may author trainings, and nothing more."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from .models import TrainingIndexPage

TRAINERS = "Trainers"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
# Trainers upload H5P content; installing library code (h5p.install_h5plibrary) stays with administrators.
# They translate what they author: simple_translation's *Translate* copies a page into another language.
MODEL_PERMISSIONS = [
    ("h5p", "add_h5pactivity"),
    ("h5p", "change_h5pactivity"),
    ("h5p", "view_h5pactivity"),
    ("simple_translation", "submit_translation"),
    # A training's open contact sessions, in the admin (lms.schedule.wagtail_hooks).
    ("schedule", "add_contactsession"),
    ("schedule", "change_contactsession"),
    ("schedule", "view_contactsession"),
    # Question pools that exams draw from, and the training's self-assessments (snippets).
    ("exams", "add_questionpool"),
    ("exams", "change_questionpool"),
    ("exams", "view_questionpool"),
    ("selfassessment", "add_selfassessment"),
    ("selfassessment", "change_selfassessment"),
    ("selfassessment", "view_selfassessment"),
]


@transaction.atomic
def trainers_group_ensure() -> Group:
    """Trainers edit, preview and publish the trainings of every language and manage media.

    They get no user-management permission: the only learner data they see is the progress
    report of the trainings they can edit.
    """
    group, _created = Group.objects.get_or_create(name=TRAINERS)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for app_label, codename in MODEL_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    page_permissions = Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=PAGE_PERMISSIONS)
    for index in TrainingIndexPage.objects.all():
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)
    root = Collection.get_first_root_node()
    for app_label, codename in COLLECTION_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        GroupCollectionPermission.objects.get_or_create(group=group, collection=root, permission=permission)
    return group
