import pytest
from django.core.cache import cache
from django.utils import timezone

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.courses.models import PartCompletion
from lms.courses.structure import structure_for
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.factories import build_parted_training, build_training

from .parted import complete_part, fill, join


@pytest.fixture
def two_orgs(index, user_factory):
    training = build_training(index, title="Työkykykoordinaattorikoulutus", modules=2, lessons=2)
    result = []
    for name in ("Ammattikorkeakoulu A", "Ammattikorkeakoulu B"):
        organisation = Organisation.objects.create(name=name, kind=OrganisationKind.UAS)
        staff = user_factory()
        Membership.objects.create(organisation=organisation, user=staff, role=Role.ADMIN)
        cohort = Cohort.objects.create(
            organisation=organisation, training=training, name=f"Ryhmä {name[-1]}", study_mode=StudyMode.DEGREE
        )
        result.append((organisation, staff, cohort))
    return result


# --- a training in two parts (tests/organisations/test_part_*.py) -------------------------------------


@pytest.fixture
def parted(index):
    """Two 5-credit parts of one module with two lessons each, in the cohorts of two universities."""
    training = build_parted_training(index, title="Työkykykoordinaattori", parts=2, modules=1, lessons=2)
    cohorts = []
    for name in ("Ammattikorkeakoulu A", "Ammattikorkeakoulu B"):
        organisation = Organisation.objects.create(name=name, kind=OrganisationKind.UAS)
        admin = User.objects.create_user(email=f"admin-{name[-1].lower()}@example.fi", certificate_name="Admin")
        Membership.objects.create(organisation=organisation, user=admin, role=Role.ADMIN)
        cohort = Cohort.objects.create(
            organisation=organisation, training=training, name=f"Osaryhmä {name[-1]}", study_mode=StudyMode.DEGREE
        )
        cohorts.append((cohort, admin))
    return training, cohorts


@pytest.fixture
def standing(parted, django_capture_on_commit_callbacks):
    """Valmis has part 1 approved (passed, with its certificate); Arvosana part 2 with grade 4; Aloittava neither."""
    training, [(cohort, admin), _b] = parted
    first, second = structure_for(training).parts
    done = join(cohort, "Valmis Oppija", "1001")
    complete_part(done, first, django_capture_on_commit_callbacks)
    graded = join(cohort, "Arvosana Oppija", "1002")
    PartCompletion.objects.create(enrolment=graded, part_key=second.key, completed_at=timezone.now(), grade="4")
    join(cohort, "Aloittava Oppija", "1003")
    return cohort, admin, (first, second), Certificate.objects.get(enrolment=done, part_key=first.key)


@pytest.fixture
def small_and_large(parted, client):
    """The first university's admin administers both cohorts: 10 learners in one, 500 in the other."""
    training, [(small, admin), (large, _admin_b)] = parted
    parts = structure_for(training).parts
    fill(small, 10, parts=parts[:1])
    fill(large, 500, parts=parts[:1])
    Membership.objects.create(organisation=large.organisation, user=admin, role=Role.ADMIN)
    cache.clear()  # a new membership marks the user's cached row for a moment: let that moment pass
    client.force_login(admin)
    return small, large
