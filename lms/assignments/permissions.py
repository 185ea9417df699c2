"""Who reviews whose work.

A learner in a cohort of the training is reviewed by that cohort's teachers; a learner in no cohort
of it by the training's trainers (whoever may edit the training's page in the admin). Nobody else
sees a submission but the learner: a teacher of another group, or of another training, gets a 404,
as if it did not exist.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from wagtail.permission_policies.pages import PagePermissionPolicy

from lms.courses.models import TrainingPage
from lms.organisations.models import CohortLearner

from .models import Submission


def trainings_authored_by(user) -> QuerySet:
    """Ids of the (default-language) trainings whose pages ``user`` may edit."""
    if user.is_superuser:
        return TrainingPage.objects.values("pk")
    pages = PagePermissionPolicy().instances_user_has_any_permission_for(user, ["change"])
    return TrainingPage.objects.filter(pk__in=pages.values("pk")).values("pk")


def reviewable(user) -> QuerySet[Submission]:
    """The submissions ``user`` may read and decide: one query whatever their number."""
    if not user.is_authenticated:
        return Submission.objects.none()
    in_cohort = CohortLearner.objects.filter(
        user_id=OuterRef("enrolment__user_id"), cohort__training_id=OuterRef("enrolment__training_id")
    )
    taught = in_cohort.filter(cohort__teachers=user)
    return Submission.objects.filter(
        Q(Exists(taught)) | (~Q(Exists(in_cohort)) & Q(enrolment__training_id__in=trainings_authored_by(user)))
    )


def may_review(user, submission: Submission) -> bool:
    return reviewable(user).filter(pk=submission.pk).exists()
