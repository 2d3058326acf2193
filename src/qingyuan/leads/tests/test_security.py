"""Issue 12: matching across county lines, personal data at rest, attachment downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qingyuan.core.models import AuditAction, AuditEvent
from qingyuan.leads import services
from qingyuan.leads.matching import match_lead_for
from qingyuan.subjects import services as subject_services

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def xiangcheng_subject(personas, regions):
    subject = subject_services.subject_save(
        actor=personas["carol"],
        subject=None,
        data={
            "name": "三埂村地下诊所",
            "kind": "unlicensed_clinic",
            "address": "相城区黄埭镇三埂村8号",
            "region": regions["xc_village"],
            "practice_content": "internal",
            "institution_type": "western",
        },
    )
    subject_services.person_add(
        actor=personas["carol"],
        subject=subject,
        data={"name": "钱游医", "role": "practitioner", "phone": "13955556666"},
    )
    return subject


def _tip(actor, **extra):
    return services.lead_register(
        actor=actor,
        channel="phone",
        content="有人在家中开设诊所给村民输液",
        place="苏州市吴中区木渎镇金星村12号",
        category="unlicensed",
        **extra,
    )


def test_phone_match_in_neighbouring_county_shows_only_a_count_and_date(login, personas, xiangcheng_subject):
    lead = _tip(personas["clerk"], reported_phone="13955556666")
    page = login("alice").get(lead.get_absolute_url()).content.decode()
    assert "三埂村地下诊所" not in page and "钱游医" not in page and "三埂村8号" not in page
    assert xiangcheng_subject.get_absolute_url() not in page
    assert "其他辖区有 1 条相关记录，最近一次" in page
    row = AuditEvent.objects.filter(action=AuditAction.REVEAL, target_id=str(lead.pk)).get()
    assert row.actor == personas["alice"] and row.after["outside_matches"] == 1
    assert "钱游医" not in str(row.after) and "三埂村" not in str(row.after)


def test_phone_match_within_the_jurisdiction_is_shown_in_full(personas, xiangcheng_subject):
    lead = _tip(personas["clerk"], reported_phone="13955556666")
    inside, outside = match_lead_for(lead=lead, actor=personas["dave"])  # the city sees both counties
    assert [c.obj for c in inside] == [xiangcheng_subject] and not outside
    assert "钱游医" in "；".join(inside[0].reasons)
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL, target_id=str(lead.pk)).exists()


@pytest.fixture
def lead_with_photo(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from qingyuan.leads.uploads import check_files

    photo = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    return _tip(personas["clerk"], attachments=check_files([photo]))


def test_officer_of_the_county_downloads_an_attachment_and_the_read_is_audited(
    login, personas, lead_with_photo
):
    attachment = lead_with_photo.attachments.get()
    url = f"/leads/{lead_with_photo.pk}/attachments/{attachment.pk}/"
    client = login("alice")
    assert url in client.get(lead_with_photo.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    row = AuditEvent.objects.filter(action=AuditAction.REVEAL, target_type="leads.attachment").get()
    assert row.actor == personas["alice"] and row.target_id == str(attachment.pk)


def test_neighbouring_county_and_public_cannot_download_an_attachment(login, lead_with_photo, client):
    attachment = lead_with_photo.attachments.get()
    url = f"/leads/{lead_with_photo.pk}/attachments/{attachment.pk}/"
    assert login("carol").get(url).status_code == 404
    assert client.get(url).status_code == 404
    assert login("aud").get(url).status_code == 404  # 审计管理员 reads the log, not the tips
    assert not AuditEvent.objects.filter(target_type="leads.attachment").exists()


def test_attachment_of_another_lead_is_not_served_under_this_one(login, personas, lead_with_photo):
    other = _tip(personas["clerk"])
    attachment = lead_with_photo.attachments.get()
    assert login("alice").get(f"/leads/{other.pk}/attachments/{attachment.pk}/").status_code == 404


def _raw(table, column, pk):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_reported_phone_is_encrypted_at_rest_and_found_by_its_index(personas):
    from qingyuan.core.crypto import phone_index
    from qingyuan.leads.models import Lead

    lead = _tip(personas["clerk"], reported_phone="139-5555-6666")
    stored = _raw("leads_lead", "reported_phone", lead.pk)
    assert stored.startswith("enc1:") and "13955556666" not in stored
    assert Lead.objects.get(reported_phone_index=phone_index("13955556666")) == lead


def test_reported_phone_is_masked_on_the_page_and_revealed_with_an_audit_row(login, personas):
    lead = _tip(personas["clerk"], reported_phone="13955556666")
    client = login("alice")
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "13955556666" not in page and "139****6666" in page
    revealed = client.post(f"/leads/{lead.pk}/reported-phone/").content.decode()
    assert "13955556666" in revealed
    row = AuditEvent.objects.filter(action=AuditAction.REVEAL, target_id=str(lead.pk)).get()
    assert row.actor == personas["alice"] and row.after == {"fields": ["reported_phone"]}
    assert login("carol").post(f"/leads/{lead.pk}/reported-phone/").status_code == 404


def test_user_phone_is_encrypted_at_rest_and_masked_on_the_account_page(login, personas):
    from qingyuan.accounts.models import User
    from qingyuan.core.crypto import phone_index

    alice = personas["alice"]
    alice.phone = "13812345678"
    alice.save()
    stored = _raw("accounts_user", "phone", alice.pk)
    assert stored.startswith("enc1:") and "13812345678" not in stored
    assert User.objects.get(phone_index=phone_index("13812345678")) == alice
    page = login("sam").get(alice.get_absolute_url()).content.decode()
    assert "13812345678" not in page and "138****5678" in page


def test_migration_encrypts_existing_phones_and_fills_the_index(personas):
    from django.db import connection

    from qingyuan.accounts.models import User
    from qingyuan.core.crypto import encrypt_phone_column, phone_index
    from qingyuan.leads.models import Lead

    lead = _tip(personas["clerk"])
    with connection.cursor() as cursor:  # as a row written before the migration: clear, no index
        cursor.execute(
            "UPDATE leads_lead SET reported_phone = %s, reported_phone_index = '' WHERE id = %s",
            ["13955556666", lead.pk],
        )
        cursor.execute(
            "UPDATE accounts_user SET phone = %s WHERE id = %s", ["13812345678", personas["bob"].pk]
        )
    encrypt_phone_column(connection, Lead, "reported_phone", "reported_phone_index")
    encrypt_phone_column(connection, User, "phone", "phone_index")
    # A rerun changes nothing: rows already encrypted are skipped.
    encrypt_phone_column(connection, Lead, "reported_phone", "reported_phone_index")
    assert _raw("leads_lead", "reported_phone", lead.pk).startswith("enc1:")
    lead.refresh_from_db()
    assert lead.reported_phone == "13955556666" and lead.reported_phone_index == phone_index("13955556666")
    assert User.objects.get(pk=personas["bob"].pk).phone == "13812345678"
    assert User.objects.get(phone_index=phone_index("13812345678")) == personas["bob"]
