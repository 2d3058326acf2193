import hashlib
import io
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from qingyuan.core.models import AuditEvent
from qingyuan.inspections import services, storage
from qingyuan.inspections.models import CustodyAction, CustodyEvent, Evidence

from .conftest import JPEG, PNG


def _add(personas, subject, data=PNG, name="现场照片.png", kind="photo", **extra):
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return services.evidence_add(
        actor=personas["alice"], subject=subject, uploaded_file=upload, kind=kind, **extra
    )


def _tamper(evidence):
    path = storage.full_path(evidence.path)
    os.chmod(path, 0o640)
    data = bytearray(path.read_bytes())
    data[20] ^= 0xFF
    path.write_bytes(bytes(data))


def test_hash_size_and_type_are_stored_and_equal_the_file(personas, subject, inspection, evidence_dir):
    evidence = _add(personas, subject, inspection=inspection, description="诊疗床")
    stored = evidence_dir / evidence.path
    assert stored.read_bytes() == PNG
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest() and evidence.size == len(PNG)
    assert evidence.content_type == "image/png" and evidence.original_name == "现场照片.png"
    assert "现场照片" not in evidence.path  # the user's file name never becomes a path
    assert evidence.custody.get().action == CustodyAction.UPLOAD
    assert AuditEvent.objects.filter(target_type="inspections.evidence", target_id=str(evidence.pk)).exists()


def test_a_jpg_that_is_a_text_file_is_refused_in_chinese(personas, subject, evidence_dir):
    with pytest.raises(ValidationError) as exc:
        _add(personas, subject, data=b"just some text, not a photo\n" * 10, name="photo.jpg")
    assert "文件“photo.jpg”的内容不是允许的类型" in str(exc.value.message_dict["file"])
    assert not Evidence.objects.exists()
    assert not any(p.is_file() for p in evidence_dir.rglob("*"))  # nothing left on disk


def test_a_photo_filed_as_audio_is_refused(personas, subject):
    with pytest.raises(ValidationError, match="与所选证据类型不符"):
        _add(personas, subject, data=JPEG, name="a.mp3", kind="audio")


def test_a_zip_that_is_not_an_office_file_is_refused(personas, subject):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    with pytest.raises(ValidationError, match="不是允许的类型"):
        _add(personas, subject, data=buffer.getvalue(), name="文书.docx", kind="document")


def test_a_docx_document_is_accepted(personas, subject, inspection):
    from qingyuan.cases.documents import render

    # A real Word file: the site record the platform itself prints, signed and scanned back in practice.
    content = render.render_docx(
        render.template_source("site_record"), render.build_context("site_record", inspection=inspection)
    )
    evidence = _add(personas, subject, data=content, name="现场笔录.docx", kind="document")
    assert evidence.content_type.endswith("wordprocessingml.document")


def test_a_file_over_the_limit_is_refused(personas, subject, settings):
    settings.QINGYUAN_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="超过大小上限"):
        _add(personas, subject)


def test_a_seized_item_may_have_no_photo_but_needs_quantity_and_place(personas, subject):
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=personas["alice"], subject=subject, kind="seized", description="输液器")
    assert set(exc.value.message_dict) == {"quantity", "storage_place"}
    item = services.evidence_add(
        actor=personas["alice"],
        subject=subject,
        kind="seized",
        description="输液器",
        quantity="12套",
        storage_place="所证物室",
    )
    assert item.path == "" and item.quantity == "12套"


def test_clerk_cannot_add_evidence(personas, subject):
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            actor=personas["clerk"],
            subject=subject,
            kind="photo",
            uploaded_file=SimpleUploadedFile("a.png", PNG),
        )


def test_open_logs_custody_with_the_user(personas, subject):
    evidence = _add(personas, subject)
    with services.evidence_open(actor=personas["bob"], evidence=evidence) as handle:
        assert handle.read() == PNG
    event = evidence.custody.order_by("-id").first()
    assert event.action == CustodyAction.DOWNLOAD and event.user == personas["bob"]


def test_neighbouring_county_cannot_open_evidence(personas, subject):
    evidence = _add(personas, subject)
    with pytest.raises(PermissionDenied):
        services.evidence_open(actor=personas["carol"], evidence=evidence)
    assert not evidence.custody.filter(user=personas["carol"]).exists()


def test_custody_log_is_append_only(personas, subject):
    event = _add(personas, subject).custody.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        CustodyEvent.objects.update(note="x")
    with pytest.raises(PermissionError):
        CustodyEvent.objects.all().delete()


def test_evidence_verify_passes_then_names_a_changed_and_a_missing_file(personas, subject, capsys):
    first, second = _add(personas, subject), _add(personas, subject, data=JPEG, name="b.jpg")
    out = io.StringIO()
    call_command("evidence_verify", stdout=out)  # exits 0: no exception
    assert "全部完好" in out.getvalue()
    assert CustodyEvent.objects.filter(action=CustodyAction.VERIFY_OK).count() == 2

    _tamper(first)
    os.chmod(storage.full_path(second.path), 0o640)
    storage.full_path(second.path).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("evidence_verify", stdout=out)
    assert exc.value.returncode == 1
    text = out.getvalue()
    assert f"证据#{first.pk} 文件已改变" in text and first.path in text and "金星村无证诊所" in text
    assert f"证据#{second.pk} 文件缺失" in text
    failed = CustodyEvent.objects.filter(action=CustodyAction.VERIFY_FAILED)
    assert set(failed.values_list("evidence_id", flat=True)) == {first.pk, second.pk}
    assert failed.first().user is None
    runs = AuditEvent.objects.filter(action="verify").order_by("id")
    assert [r.result for r in runs] == ["ok", "failed"]


def test_nightly_verification_tells_the_system_administrators_once_and_records_once(personas, subject):
    from qingyuan.core import schedule
    from qingyuan.core.models import Notification

    intact, changed = _add(personas, subject), _add(personas, subject, data=JPEG, name="b.jpg")
    run = schedule.run("inspections.evidence_verify")
    assert (run.outcome, run.count) == ("ok", 2)
    assert not CustodyEvent.objects.filter(action=CustodyAction.VERIFY_OK).exists()  # no row a night each

    _tamper(changed)
    first, second = schedule.run("inspections.evidence_verify"), schedule.run("inspections.evidence_verify")
    assert first.outcome == second.outcome == "alert" and "1 个被改动或缺失" in first.summary
    failed = CustodyEvent.objects.filter(action=CustodyAction.VERIFY_FAILED)
    assert list(failed.values_list("evidence_id", flat=True)) == [changed.pk]
    assert AuditEvent.objects.filter(action="verify", result="failed").count() == 1
    [text] = Notification.objects.filter(user=personas["sam"]).values_list("text", flat=True)
    assert f"证据#{changed.pk}" in text and "文件已改变" in text
    assert subject.name not in text  # 系统管理员 see no case content
    assert not Notification.objects.exclude(user=personas["sam"]).exists()
    assert intact.custody.count() == 1  # its upload only
