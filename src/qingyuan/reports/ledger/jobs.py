"""The web upload of a ledger as a background job: the file is stored, a LedgerJob row queues it,
and `run_job(pk)` imports it away from the request, saving its progress for the job page to poll.

As for the registry's import (registry.jobs), the embedded setup runs the job in a thread of the
web process, started once the job row is committed; in production the same `run_job(pk)` is the
body of a task for the Redis-backed workers (ARCHITECTURE.md, background work). The importer is
the one the command `import_ledger` calls: the same checks, the same all-or-nothing write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.background import start_after_commit
from qingyuan.core.scoping import jurisdiction_prefix

from ..models import LEDGER_JOB_ACTIVE, LedgerJob, LedgerJobStatus
from . import WRITING, clean_file_name, ledger_import
from .columns import SHEETS_BY_KEY
from .reading import CSV, MAX_BYTES, format_of
from .writing import refuse_same_file

logger = logging.getLogger(__name__)
SAVE_EVERY_SECONDS = 1.0
# A job still unfinished this long after it was queued was cut short (the process that ran it
# stopped); its write was one transaction, so nothing of it is in the database.
STALE_AFTER = dt.timedelta(hours=2)


def ledger_dir() -> Path:
    """Uploaded ledgers, under the private storage directory (never served by the web server)."""
    path = Path(settings.MEDIA_ROOT) / "ledger_imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _unfinished(sha256: str) -> LedgerJob | None:
    return (
        LedgerJob.objects.filter(sha256=sha256, status__in=LEDGER_JOB_ACTIVE)
        .select_related("unit", "actor")
        .first()
    )


def _still_running(job: LedgerJob) -> str:
    who = job.actor.full_name or job.actor.username
    return (
        f"该文件已于{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}由{job.unit}{who}上传"
        f"（文件名“{job.file_name}”，导入任务#{job.pk}），正在导入（{job.get_status_display()}），"
        "请等待该任务结束后查看结果，不要重复上传"
    )


def _close_stale(sha256: str) -> None:
    LedgerJob.objects.filter(
        sha256=sha256, status__in=LEDGER_JOB_ACTIVE, created_at__lt=timezone.now() - STALE_AFTER
    ).update(
        status=LedgerJobStatus.FAILED,
        errors=["导入被中断（服务曾重启），未写入任何数据，请重新上传"],
        finished_at=timezone.now(),
    )


def ledger_job_create(*, actor, upload, kind: str = "") -> LedgerJob:
    """Store an uploaded ledger under a generated name (never the user's) and queue its import.

    What can be told without reading the rows is refused here, on the upload page: a file of
    another format, a CSV whose sheet is not chosen, a file imported before, or one whose earlier
    upload is still being imported.
    """
    if jurisdiction_prefix(actor) is None or actor.unit_id is None:
        raise ValidationError(["您的账号没有所属单位或已停用，不能导入"])
    file_name = clean_file_name(upload.name)
    fmt = format_of(file_name)
    if fmt == CSV and kind not in SHEETS_BY_KEY:
        raise ValidationError(["CSV 文件只含一张表，请选择它是哪一张表（如“监管对象”）"])
    if upload.size > MAX_BYTES:
        raise ValidationError(
            [f"文件过大（{upload.size / 1048576:.1f} MB），单个文件不能超过 {MAX_BYTES // 1048576} MB"]
        )
    content = upload.read()
    if not content.strip():
        raise ValidationError(["文件是空的"])
    sha256 = hashlib.sha256(content).hexdigest()
    refuse_same_file(sha256)
    _close_stale(sha256)
    running = _unfinished(sha256)
    if running is not None:
        raise ValidationError([_still_running(running)])
    target = ledger_dir() / f"{uuid.uuid4().hex}.{fmt}"
    target.write_bytes(content)
    try:
        with transaction.atomic():
            job = LedgerJob.objects.create(
                stored_name=target.name,
                file_name=file_name,
                kind=kind if fmt == CSV else "",
                size=len(content),
                sha256=sha256,
                actor=actor,
                unit=actor.unit,
                region=actor.unit.region,
            )
            audit.record(
                actor=actor,
                action=audit.AuditAction.CREATE,
                target=job,
                region_code=job.region_id,
                after={"file_name": file_name, "sha256": sha256, "size": job.size, "kind": job.kind},
            )
    except IntegrityError:
        # The same file uploaded at the same moment: the constraint on unfinished jobs let the
        # other upload through.
        target.unlink(missing_ok=True)
        running = _unfinished(sha256)
        if running is None:
            raise
        raise ValidationError([_still_running(running)]) from None
    return job


def job_start(job: LedgerJob) -> None:
    start_after_commit(run_job, job.pk, name=f"ledger-import-{job.pk}", inline_setting="LEDGER_IMPORT_INLINE")


def _update(pk: int, **fields) -> None:
    LedgerJob.objects.filter(pk=pk).update(**fields)


def run_job(pk: int) -> LedgerJob:
    """Import the job's file once; a job delivered twice, or already finished, is left as it is."""
    job = LedgerJob.objects.select_related("actor__unit__region").get(pk=pk)
    claimed = LedgerJob.objects.filter(pk=pk, status=LedgerJobStatus.PENDING).update(
        status=LedgerJobStatus.CHECKING, started_at=timezone.now()
    )
    if not claimed:
        return job
    last = [0.0]

    def progress(phase: str, done: int, total: int) -> None:
        if phase == WRITING:
            _update(pk, status=LedgerJobStatus.WRITING, done=total, total=total)
            return
        now = time.monotonic()
        if done == total or now - last[0] >= SAVE_EVERY_SECONDS:
            last[0] = now
            _update(pk, done=done, total=total)

    try:
        content = (ledger_dir() / job.stored_name).read_bytes()
        record = ledger_import(
            actor=job.actor,
            content=content,
            file_name=job.file_name,
            kind=job.kind or None,
            progress=progress,
        )
    except ValidationError as exc:
        _update(pk, status=LedgerJobStatus.REFUSED, errors=exc.messages, finished_at=timezone.now())
    except Exception:
        logger.exception("ledger import job %s failed", pk)
        _update(
            pk,
            status=LedgerJobStatus.FAILED,
            errors=[f"导入时发生系统错误，未写入任何数据。请联系系统管理员（任务编号 {pk}）。"],
            finished_at=timezone.now(),
        )
    else:
        _update(pk, status=LedgerJobStatus.DONE, ledger_import=record, finished_at=timezone.now())
    job.refresh_from_db()
    return job
