"""Running an import job away from the request, with its progress saved for the job page to poll.

The embedded setup runs the job in a thread of the web process, started once the job row is
committed. In production the same `run_job(pk)` is the body of a task for the Redis-backed
workers (ARCHITECTURE.md, background work), so a restart of a web process does not cut an import
short. Progress is written only while the file is being checked, which happens outside any
transaction; the write itself is one transaction, shown as "正在写入".
"""

import logging
import time

from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.core.background import start_after_commit

from . import importing
from .models import ImportJob, ImportStatus
from .services import import_dir

logger = logging.getLogger(__name__)
SAVE_EVERY_SECONDS = 1.0


def job_start(job: ImportJob) -> None:
    start_after_commit(
        run_job, job.pk, name=f"registry-import-{job.pk}", inline_setting="REGISTRY_IMPORT_INLINE"
    )


def _update(pk: int, **fields) -> None:
    ImportJob.objects.filter(pk=pk).update(**fields)


def run_job(pk: int) -> ImportJob:
    job = ImportJob.objects.select_related("actor__unit__region").get(pk=pk)
    # Claim the job in one statement: a task delivered twice must not import twice.
    claimed = ImportJob.objects.filter(pk=pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.CHECKING, started_at=timezone.now()
    )
    if not claimed:
        return job
    last = [0.0]

    def progress(done: int, total: int | None) -> None:
        now = time.monotonic()
        if done == total:
            _update(pk, done=done, total=total, status=ImportStatus.WRITING)
        elif now - last[0] >= SAVE_EVERY_SECONDS:
            last[0] = now
            _update(pk, done=done, total=total)

    importer = importing.import_institutions if job.kind == "institutions" else importing.import_practitioners
    try:
        result = importer(actor=job.actor, path=import_dir() / job.stored_name, progress=progress)
    except ValidationError as exc:
        _update(pk, status=ImportStatus.REFUSED, errors=exc.messages, finished_at=timezone.now())
    except Exception:
        logger.exception("registry import job %s failed", pk)
        _update(
            pk,
            status=ImportStatus.FAILED,
            errors=[f"导入时发生系统错误，未写入任何数据。请联系系统管理员（任务编号 {pk}）。"],
            finished_at=timezone.now(),
        )
    else:
        _update(
            pk,
            status=ImportStatus.DONE,
            total=result.total,
            done=result.total,
            created=result.created,
            updated=result.updated,
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
