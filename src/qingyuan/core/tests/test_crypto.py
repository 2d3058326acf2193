import base64
import os

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from qingyuan.core import crypto
from qingyuan.core.idcard import validate_id_number
from qingyuan.subjects.models import Subject, SubjectPerson

VALID_ID = "11010519491231002X"


def test_valid_id_number_passes_and_is_normalised():
    assert validate_id_number(" 11010519491231002x ") == VALID_ID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1101051949123100", "18位"),
        ("99010519491231002X", "地区码"),
        ("110105194913310021", "出生日期"),
        ("110105194912310021", "校验位"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_id_number(value)


def test_id_numbers_are_stored_encrypted_and_read_back_in_clear(regions):
    subject = Subject.objects.create(
        name="某诊所", kind="unlicensed_clinic", address="木渎镇", region=regions["village"]
    )
    person = SubjectPerson.objects.create(
        subject=subject, name="张三", id_number=VALID_ID, phone="13912345678"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM subjects_subjectperson WHERE id = %s", [person.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert VALID_ID not in raw_id and raw_id.startswith("enc1:")
    assert "13912345678" not in raw_phone
    assert SubjectPerson.objects.get(pk=person.pk).id_number == VALID_ID


def test_old_key_still_decrypts_after_rotation(settings):
    old = "k1:" + base64.b64encode(os.urandom(32)).decode()
    new = "k2:" + base64.b64encode(os.urandom(32)).decode()
    settings.QINGYUAN_FIELD_KEYS = old
    crypto.reset_key_cache()
    token = crypto.encrypt("13912345678")
    settings.QINGYUAN_FIELD_KEYS = f"{new},{old}"
    crypto.reset_key_cache()
    try:
        assert crypto.decrypt(token) == "13912345678"
        assert crypto.encrypt("x").startswith("enc1:k2:")
    finally:
        crypto.reset_key_cache()


def test_masking_keeps_only_the_ends():
    assert crypto.mask(VALID_ID) == "1101**********002X"
    assert crypto.mask_phone("13912345678") == "139****5678"


def test_rotation_command_reencrypts_with_the_new_key_and_search_still_works(regions, settings):
    from django.core.management import call_command

    from qingyuan.subjects import services
    from qingyuan.subjects.selectors import subject_search

    old = "k1:" + base64.b64encode(os.urandom(32)).decode()
    new = "k2:" + base64.b64encode(os.urandom(32)).decode()
    settings.QINGYUAN_FIELD_KEYS = old
    crypto.reset_key_cache()
    try:
        subject = Subject.objects.create(
            name="某诊所", kind="other", address="木渎镇", region=regions["village"]
        )
        services.person_add(
            actor=None, subject=subject, data={"name": "张三", "id_number": VALID_ID, "phone": ""}
        )
        settings.QINGYUAN_FIELD_KEYS = f"{new},{old}"
        crypto.reset_key_cache()
        call_command("rotate_field_keys")
        settings.QINGYUAN_FIELD_KEYS = new  # the old key is gone now
        crypto.reset_key_cache()
        assert SubjectPerson.objects.get(subject=subject).id_number == VALID_ID
        assert subject_search(Subject.objects.all(), VALID_ID).get() == subject
    finally:
        crypto.reset_key_cache()
