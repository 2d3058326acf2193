"""Writes to the licence registry: one transaction each, audited in the same transaction."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit, concurrency
from qingyuan.core.crypto import blind_index
from qingyuan.core.jobs import JobDuplicate, job_create, job_file, job_input_store
from qingyuan.core.models import Job

from . import import_files
from .models import ImportKind, Institution, Practitioner, normalize_number


def _save(*, actor, model, obj, data: dict, prepare=None, version: str | None = None):
    creating = obj is None or obj.pk is None
    # Checked here, not only by the pages: the API and scripts write through this function too.
    if actor is not None and not actor.can("registry.manage"):
        raise PermissionDenied("您没有维护执业登记信息的权限")
    if actor is not None and not creating and not model.objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise PermissionDenied("所在区划不在您的辖区内")
    if creating:
        obj, before = model(), None
    else:
        # Lock the row so two officers editing one record cannot overwrite each other silently.
        obj = model.objects.select_for_update().get(pk=obj.pk)
        # A form or API client that read the record before someone else's save must not undo it.
        concurrency.check_version(obj, version, data)
        before = audit.snapshot(obj)
        old_status, old_date = obj.status, obj.status_changed_on
    for field, value in data.items():
        setattr(obj, field, value)
    # The public look-up dates a 注销/吊销: a status change saved without a new date is dated today.
    if not creating and obj.status != old_status and data.get("status_changed_on") in (None, "", old_date):
        obj.status_changed_on = timezone.localdate()
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
def institution_save(
    *, actor, institution: Institution | None, data: dict, version: str | None = None
) -> Institution:
    """Create (institution None) or update an institution; the audit row holds what changed. `version`:
    the edit form's token (core.concurrency), a stale one is refused."""
    return _save(
        actor=actor,
        model=Institution,
        obj=institution,
        data=data,
        prepare=_prepare_institution,
        version=version,
    )


@transaction.atomic
def practitioner_save(
    *, actor, practitioner: Practitioner | None, data: dict, version: str | None = None
) -> Practitioner:
    """Create or update a practitioner; the ID number is encrypted and indexed, and masked in the audit row."""
    return _save(
        actor=actor,
        model=Practitioner,
        obj=practitioner,
        data=data,
        prepare=_prepare_practitioner,
        version=version,
    )


def import_job_create(*, actor, kind: str, upload) -> Job:
    """Store an uploaded ledger under a generated name (never the user's), check its content, queue the job."""
    if not actor.can("registry.import"):
        raise PermissionDenied("您没有导入执业登记信息的权限")
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
    stored = job_input_store(upload, original=Path(upload.name).name, suffix=fmt)
    try:
        import_files.check_file(job_file(stored.name), fmt)
    except ValidationError:
        stored.discard()
        raise
    try:
        return job_create(kind="registry_import", actor=actor, params={"kind": kind}, stored=stored)
    except JobDuplicate as exc:
        running = exc.job
        raise ValidationError(
            f"同一文件已于{timezone.localtime(running.created_at):%Y-%m-%d %H:%M}上传（任务#{running.pk}），"
            "正在导入，请等待该任务结束后查看结果，不要重复上传"
        ) from None
