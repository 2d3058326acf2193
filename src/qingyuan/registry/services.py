"""Writes to the licence registry: one transaction each, audited in the same transaction."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qingyuan.core import audit
from qingyuan.core.crypto import blind_index

from . import import_files
from .models import ImportJob, ImportKind, Institution, Practitioner, normalize_number


def _save(*, actor, model, obj, data: dict, prepare=None):
    creating = obj is None or obj.pk is None
    if creating:
        obj, before = model(), None
    else:
        # Lock the row so two officers editing one record cannot overwrite each other silently.
        obj = model.objects.select_for_update().get(pk=obj.pk)
        before = audit.snapshot(obj)
    for field, value in data.items():
        setattr(obj, field, value)
    if prepare:
        prepare(obj)
    obj.full_clean()
    obj.save()
    # Re-check after saving (NetBox's ObjectEditView): the record must still be the actor's to hold.
    if actor is not None and not model.objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise PermissionDenied("所在区划不在您的辖区内")
    b, a = audit.diff(before, audit.snapshot(obj))
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE if creating else audit.AuditAction.UPDATE,
        target=obj,
        before=b,
        after=a,
    )
    return obj


def _prepare_institution(institution: Institution):
    institution.licence_no = normalize_number(institution.licence_no)


def _prepare_practitioner(practitioner: Practitioner):
    practitioner.certificate_no = normalize_number(practitioner.certificate_no)
    practitioner.qualification_no = normalize_number(practitioner.qualification_no)
    practitioner.id_number_index = blind_index(practitioner.id_number or "")


@transaction.atomic
def institution_save(*, actor, institution: Institution | None, data: dict) -> Institution:
    """Create (institution None) or update an institution; the audit row holds what changed."""
    return _save(actor=actor, model=Institution, obj=institution, data=data, prepare=_prepare_institution)


@transaction.atomic
def practitioner_save(*, actor, practitioner: Practitioner | None, data: dict) -> Practitioner:
    """Create or update a practitioner; the ID number is encrypted and indexed, and masked in the audit row."""
    return _save(actor=actor, model=Practitioner, obj=practitioner, data=data, prepare=_prepare_practitioner)


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_job_create(*, actor, kind: str, upload) -> ImportJob:
    """Store an uploaded ledger under a generated name (never the user's), check its content, queue the job."""
    if kind not in ImportKind.values:
        raise ValidationError("导入内容无效")
    if actor.unit_id is None:
        raise ValidationError("您的账号没有所属单位，不能导入")
    limit = settings.REGISTRY_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"文件过大（{upload.size / 1048576:.1f} MB），单个文件不能超过 {limit // 1048576} MB"
        )
    fmt = import_files.format_of(upload.name)
    target = import_dir() / f"{uuid.uuid4().hex}.{fmt}"
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        import_files.check_file(target, fmt)
    except ValidationError:
        target.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            stored_name=target.name,
            original_name=Path(upload.name).name[:255],
            size=upload.size,
            actor=actor,
            region=actor.unit.region,
        )
        audit.record(
            actor=actor,
            action=audit.AuditAction.CREATE,
            target=job,
            region_code=job.region_id,
            after={"kind": kind, "file": job.original_name, "size": job.size},
        )
    return job
