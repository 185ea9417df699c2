import pytest

from lms.organisations.validators import business_id_valid, validate_home_organisation


@pytest.mark.parametrize("value", ["0245872-8", "0112038-9", "0201256-6"])
def test_real_business_ids_are_accepted(value):
    assert business_id_valid(value)


@pytest.mark.parametrize(
    "value",
    ["0245872-7", "0245872", "245872-8", "0245872-88", " 0245872-8", "0245872–8", "abcdefg-h", "", "1234567-2"],
)
def test_a_mistyped_business_id_is_refused(value):
    assert not business_id_valid(value)


@pytest.mark.parametrize("value", ["tuni.fi", "metropolia.fi", "students.example.ac.uk"])
def test_home_organisation_domains_are_accepted(value):
    validate_home_organisation(value)


@pytest.mark.parametrize("value", ["TUNI.FI", "tuni", "https://tuni.fi", "tuni.fi/", "-x.fi", "a b.fi", ""])
def test_a_home_organisation_that_is_not_a_domain_is_refused(value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_home_organisation(value)
