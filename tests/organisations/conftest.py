import pytest

from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.factories import build_training


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
