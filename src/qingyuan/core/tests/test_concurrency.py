"""The version token behind every edit form and API update (core.concurrency)."""

import pytest
from django.core import signing

from qingyuan.core import concurrency
from qingyuan.core.idcard import check_digit
from qingyuan.registry import services
from qingyuan.registry.models import Practitioner

ID = "32050619800101001" + check_digit("32050619800101001")


@pytest.fixture
def doctor(regions):
    return services.practitioner_save(
        actor=None,
        practitioner=None,
        data={
            "name": "张仁心",
            "id_number": ID,
            "certificate_no": "110320506000001",
            "kind": "physician",
            "region_id": "320506",
            "status": "valid",
        },
    )


def test_the_token_shows_no_value_not_even_an_id_number(doctor):
    token = concurrency.version_token(doctor, ["name", "id_number", "status"])
    opened = signing.loads(token, salt=concurrency.SALT)
    assert set(opened) == {"name", "id_number", "status"}
    assert ID not in token and ID not in str(opened) and "张仁心" not in str(opened)


def test_only_the_fields_the_save_writes_are_compared(doctor):
    token = concurrency.version_token(doctor, ["name", "status"])
    Practitioner.objects.filter(pk=doctor.pk).update(status="suspended")
    current = Practitioner.objects.get(pk=doctor.pk)
    concurrency.check_version(current, token, ["name"])  # the name is unchanged: no conflict
    with pytest.raises(concurrency.StaleEdit) as refused:
        concurrency.check_version(current, token, ["name", "status"])
    assert refused.value.changed == ["status"]


def test_no_token_means_no_check_and_a_forged_one_is_stale(doctor):
    concurrency.check_version(doctor, None, ["name"])
    with pytest.raises(concurrency.StaleEdit):
        concurrency.check_version(doctor, "forged", ["name"])


def test_if_match_header_gives_the_token_back():
    token = "abc:def"
    assert concurrency.token_from_if_match(f'"{token}"') == token
    assert concurrency.token_from_if_match(f'W/"{token}"') == token
    assert concurrency.token_from_if_match("*") is None
    assert concurrency.token_from_if_match(None) is None
