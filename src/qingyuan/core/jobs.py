"""Long work as jobs (ARCHITECTURE.md, background work): the kinds the apps register, queuing a job,
running it once in a task worker, and the reaper that leaves no job stuck.

- An app registers each kind of job with its runner: `@register("ledger_import", title=..., perm=...)`
  on `runner(job, progress) -> result dict`, in its own module imported by its AppConfig.ready (so the
  workers know it too). Core imports no domain app.
- `job_create(...)` stores the row (and the audit row) and queues one Huey task `run_job(pk)` once
  the transaction commits. A runner reports through `progress(done, total, phase)`; it raises
  ValidationError to refuse (the messages are shown, numbered), and anything else is a failure that
  is logged with its traceback while the user reads a Chinese message with the job number.
- `run_job(pk)` claims the job in one statement (pending -> running), so a task delivered twice runs
  once; a thread refreshes `heartbeat_at` while the runner works. `jobs_reap()`, on the
  every-minute schedule, retries or fails a job whose worker died (no heartbeat) or whose queue
  message was lost (never claimed). Every import writes in one transaction, so a dead worker has
  written nothing and a retry starts clean.

A result is plain JSON: {"message": "…", "counts": [["新增", 3], …], "links": [{"label": "…",
"url": "<url name>", "args": [...]}]}; a runner that makes a file writes it to `job_output_file`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from . import audit
from .middleware import current_request, request_replayed
from .models_jobs import Job, JobStatus

logger = logging.getLogger(__name__)

JOBS_DIR = "jobs"
SAVE_EVERY_SECONDS = 1.0
HEARTBEAT_SECONDS = 10.0

Progress = Callable[..., None]


@dataclass(frozen=True)
class JobKind:
    """What a kind of job is called, who may open it, and what runs it."""

    key: str
    title: str
    runner: Callable[[Job, Progress], dict | None]
    # The permission a user needs to open a job of this kind (the submitter too): a string, or a
    # function of the job for kinds whose data depends on their parameters (list exports).
    perm: str | Callable[[Job], str]
    heading: Callable[[Job], str] | None = None
    # (label, url) of the page the job was started from, for the job page's way back.
    back: Callable[[Job], tuple[str, str] | None] | None = None
    count_label: str = ""  # what done/total count, e.g. "行"
    refused_hint: str = ""  # what to do about a refusal, after the errors
    max_attempts: int = 2

    def perm_for(self, job: Job) -> str:
        return self.perm(job) if callable(self.perm) else self.perm

    def heading_for(self, job: Job) -> str:
        if self.heading is not None:
            return self.heading(job)
        return f"{self.title}：{job.input_original}" if job.input_original else self.title


KINDS: dict[str, JobKind] = {}


def register(key: str, *, title: str, perm, **options):
    """Decorator: `runner(job, progress)` runs the jobs of kind `key`."""

    def decorator(runner):
        KINDS[key] = JobKind(key=key, title=title, runner=runner, perm=perm, **options)
        return runner

    return decorator


def kind_of(job: Job) -> JobKind | None:
    return KINDS.get(job.kind)


# --- files -----------------------------------------------------------------------------------------


def job_file(name: str) -> Path:
    """The private file a job's input_name or output_name names; nothing outside the storage directory."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if not name or root not in path.parents:
        raise FileNotFoundError(name)
    return path


def _new_name(folder: str, suffix: str) -> str:
    directory = Path(settings.MEDIA_ROOT) / JOBS_DIR / folder
    directory.mkdir(parents=True, exist_ok=True)
    suffix = suffix.lstrip(".").lower()
    return f"{JOBS_DIR}/{folder}/{uuid.uuid4().hex}{'.' + suffix if suffix else ''}"


@dataclass(frozen=True)
class StoredInput:
    name: str
    original: str
    size: int
    sha256: str

    def discard(self) -> None:
        job_file(self.name).unlink(missing_ok=True)


def job_input_store(source, *, original: str, suffix: str) -> StoredInput:
    """Save an upload (an UploadedFile, read in chunks, or bytes) under a generated name, never the
    user's; its size and SHA-256 are computed while it is written."""
    name = _new_name("in", suffix)
    digest, size = hashlib.sha256(), 0
    chunks = [source] if isinstance(source, bytes) else source.chunks()
    with open(job_file(name), "wb") as out:
        for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return StoredInput(name=name, original=original[:255], size=size, sha256=digest.hexdigest())


def job_output_file(job: Job, *, download_name: str, content_type: str) -> Path:
    """A new private file for the job's result; the runner writes it and run_job records its size."""
    job.output_name = _new_name("out", Path(download_name).suffix)
    job.output_download_name = download_name[:255]
    job.output_content_type = content_type
    return job_file(job.output_name)


# --- creating and queuing ----------------------------------------------------------------------------


class JobDuplicate(Exception):
    """The same file is already queued or running as a job of this kind."""

    def __init__(self, job: Job):
        super().__init__(f"job {job.pk} holds the same file")
        self.job = job


def job_unfinished_for(kind: str, sha256: str) -> Job | None:
    return (
        Job.objects.unfinished()
        .filter(kind=kind, input_sha256=sha256)
        .select_related("unit", "actor")
        .first()
    )


def job_create(
    *,
    kind: str,
    actor,
    params: dict | None = None,
    stored: StoredInput | None = None,
    audited: bool = True,
    request=None,
) -> Job:
    """Queue a job of `kind` for `actor`: the row, its audit row (unless the caller records the
    request itself, as exports do) and the task, sent once the transaction commits.

    Raises JobDuplicate (the stored file removed) when the same file is already queued or running."""
    spec = KINDS[kind]
    request = request or current_request()
    unit = getattr(actor, "unit", None)
    now = timezone.now()
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                params=params or {},
                input_name=stored.name if stored else "",
                input_original=stored.original if stored else "",
                input_size=stored.size if stored else 0,
                input_sha256=stored.sha256 if stored else "",
                actor=actor,
                unit=unit,
                region_id=unit.region_id if unit is not None else None,
                request_id=getattr(request, "request_id", "") if request else "",
                ip=getattr(request, "client_ip", "") if request else "",
                max_attempts=spec.max_attempts,
                created_at=now,
                heartbeat_at=now,
            )
            if audited:
                audit.record(
                    actor=actor,
                    action=audit.AuditAction.CREATE,
                    target=job,
                    region_code=job.region_id or "",
                    after={
                        "kind": kind,
                        "params": job.params,
                        **(
                            {"file": stored.original, "size": stored.size, "sha256": stored.sha256}
                            if stored
                            else {}
                        ),
                    },
                )
            job_enqueue(job)
    except IntegrityError:
        # The same file uploaded at the same moment: the constraint on unfinished jobs let the other
        # upload through.
        if stored is None:
            raise
        stored.discard()
        running = job_unfinished_for(kind, stored.sha256)
        if running is None:
            raise
        raise JobDuplicate(running) from None
    return job


def job_enqueue(job: Job) -> None:
    """Send the job to the workers once the current transaction commits (at once outside one)."""
    pk = job.pk
    transaction.on_commit(lambda: _send(pk))


def _send(pk: int) -> None:
    from .tasks import run_job_task

    try:
        run_job_task(pk)
    except Exception:
        # The queue is unreachable (Redis down): the job stays pending and jobs_reap sends it again.
        logger.exception("job %s could not be queued; jobs_reap will queue it again", pk)


# --- running ---------------------------------------------------------------------------------------


def failure_message(pk: int) -> str:
    return f"任务处理时发生系统错误，未写入任何数据。请联系系统管理员（任务编号 {pk}）。"


def heartbeat_seconds() -> float:
    # Several beats within the stale limit, so one slow beat does not get a live job reaped.
    return max(0.05, min(HEARTBEAT_SECONDS, settings.QINGYUAN_JOB_STALE_SECONDS / 3))


class JobProgress:
    """The callback a runner reports through: progress(done, total=None, phase=None).

    Saved at most once a second (and at once when the phase changes), which also refreshes the
    heartbeat. Runners call it outside their write transaction, where it is seen at once."""

    def __init__(self, job: Job, rows):
        self.job = job
        self._rows = rows
        self._last = 0.0

    def __call__(self, done: int | None = None, total: int | None = None, phase: str | None = None):
        job = self.job
        new_phase = phase is not None and phase[:200] != job.phase
        if done is not None:
            job.done = done
        if total is not None:
            job.total = total
        if phase is not None:
            job.phase = phase[:200]
        now = time.monotonic()
        if new_phase or now - self._last >= SAVE_EVERY_SECONDS:
            self._last = now
            self._rows.update(done=job.done, total=job.total, phase=job.phase, heartbeat_at=timezone.now())


class _Heartbeat:
    """A thread that refreshes the job's heartbeat while its runner works, even inside a long
    write transaction (it has its own database connection)."""

    def __init__(self, job: Job):
        self.pk, self.attempt = job.pk, job.attempts
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-heartbeat-{job.pk}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        return False

    def _run(self):
        try:
            while not self._stop.wait(heartbeat_seconds()):
                try:
                    Job.objects.filter(pk=self.pk, status=JobStatus.RUNNING, attempts=self.attempt).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("heartbeat of job %s not saved", self.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only


def run_job(pk: int) -> Job | None:
    """Run a queued job once. A job delivered twice, taken by another worker or already finished
    is left as it is."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=pk, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        done=0,
        total=None,
    )
    job = Job.objects.select_related("actor__unit__region", "unit", "region").filter(pk=pk).first()
    if job is None or not claimed:
        return job
    # Every later write names this attempt: once jobs_reap has handed the job to another worker,
    # this one can no longer change it.
    mine = Job.objects.filter(pk=pk, status=JobStatus.RUNNING, attempts=job.attempts)
    spec = kind_of(job)
    outcome: dict = {}
    with _Heartbeat(job):
        try:
            if spec is None:
                raise LookupError(f"no runner registered for job kind {job.kind!r}")
            with request_replayed(request_id=job.request_id, ip=job.ip, user=job.actor):
                result = spec.runner(job, JobProgress(job, mine)) or {}
            size = job_file(job.output_name).stat().st_size if job.output_name else 0
        except ValidationError as exc:
            _discard_output(job)
            outcome = {"status": JobStatus.REFUSED, "errors": exc.messages}
        except Exception:
            logger.exception("job %s (%s) failed", pk, job.kind)
            _discard_output(job)
            outcome = {"status": JobStatus.FAILED, "errors": [failure_message(pk)]}
        else:
            outcome = {
                "status": JobStatus.DONE,
                "result": result,
                "done": job.total if job.total is not None else job.done,
                "output_name": job.output_name,
                "output_download_name": job.output_download_name,
                "output_content_type": job.output_content_type,
                "output_size": size,
            }
    finished = timezone.now()
    if not mine.update(**outcome, finished_at=finished, heartbeat_at=finished):
        logger.warning("job %s was handed to another worker while this one ran; its outcome is dropped", pk)
    job.refresh_from_db()
    return job


def _discard_output(job: Job) -> None:
    if job.output_name:
        job_file(job.output_name).unlink(missing_ok=True)
        job.output_name = job.output_download_name = job.output_content_type = ""


# --- the reaper ------------------------------------------------------------------------------------


def jobs_reap(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Retry or fail the jobs nobody is working on; safe to run any number of times, anywhere.

    - running, no heartbeat for QINGYUAN_JOB_STALE_SECONDS: its worker died (killed, machine lost).
      Its write was one transaction, rolled back with it, so the job is queued again while it has
      runs left (max_attempts), and otherwise fails with the reason.
    - pending and unclaimed as long, and its message no longer in the queue: the message was lost
      (e.g. Redis restarted empty), so it is queued again, at most max_attempts times; then it fails
      rather than wait for ever. A job whose message is still queued is only waiting behind others
      (or for a worker to start) and is left alone: it runs when its turn comes.
    Each change is one conditional UPDATE, so two reapers at once act on a job once.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.QINGYUAN_JOB_STALE_SECONDS)
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    counts = {"retried": 0, "requeued": 0, "failed": 0}
    for job in Job.objects.filter(stale, status=JobStatus.RUNNING).only("pk", "attempts", "max_attempts"):
        rows = Job.objects.filter(stale, pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)
        if job.attempts < job.max_attempts:
            phase = f"处理进程中断，已自动重试（第{job.attempts + 1}次）"
            if _requeue(job, rows, now, phase=phase):
                counts["retried"] += 1
        else:
            retried = f"已重试{job.attempts - 1}次仍未完成" if job.attempts > 1 else "未能完成"
            reason = f"处理进程中断，{retried}，未写入任何数据，请重新提交"
            if rows.update(
                status=JobStatus.FAILED, errors=[reason], phase="", finished_at=now, heartbeat_at=now
            ):
                logger.warning("job %s failed: its worker stopped %s times", job.pk, job.attempts)
                counts["failed"] += 1
    waiting = None
    for job in Job.objects.filter(stale, status=JobStatus.PENDING).only("pk", "requeued", "max_attempts"):
        if waiting is None:
            waiting = queued_job_ids()
        if job.pk in waiting:
            continue
        rows = Job.objects.filter(stale, pk=job.pk, status=JobStatus.PENDING, requeued=job.requeued)
        if job.requeued < job.max_attempts:
            if _requeue(job, rows, now, phase="排队后长时间未开始，已重新排队", requeued=F("requeued") + 1):
                counts["requeued"] += 1
        else:
            reason = (
                f"任务排队后一直未开始处理（处理进程未运行或任务队列中断），已重新排队{job.requeued}次，"
                "未写入任何数据，请重新提交"
            )
            if rows.update(
                status=JobStatus.FAILED, errors=[reason], phase="", finished_at=now, heartbeat_at=now
            ):
                logger.warning("job %s failed: never picked up after %s requeues", job.pk, job.requeued)
                counts["failed"] += 1
    return counts


def queued_job_ids() -> set[int]:
    """The jobs whose run_job_task message is in the queue now (read only when a pending job looks
    stale, which is rare; the queue holds messages, not rows, so this stays small)."""
    from huey.contrib.djhuey import HUEY

    from .tasks import run_job_task

    try:
        messages = HUEY.pending()
    except Exception:
        # The queue cannot be read (Redis down): treat every message as lost, as _send does.
        logger.exception("the task queue could not be read")
        return set()
    return {task.args[0] for task in messages if isinstance(task, run_job_task.task_class) and task.args}


def _requeue(job: Job, rows, now, *, phase: str, **fields) -> bool:
    with transaction.atomic():
        if not rows.update(
            status=JobStatus.PENDING, phase=phase, heartbeat_at=now, done=0, total=None, **fields
        ):
            return False
        job_enqueue(job)
    return True


# --- who may open a job ----------------------------------------------------------------------------


def can_open(user, job: Job) -> bool:
    """Beyond viewable_by (the submitter, or a chief or leader over the job's region): the kind's
    permission, so a job shows nobody data their role may not see."""
    spec = kind_of(job)
    if spec is None:
        return job.actor_id == getattr(user, "pk", None)
    perm = spec.perm_for(job)
    return not perm or user.can(perm)


def job_for_viewer(user, pk) -> Job:
    """ "Missing" and "not yours" look the same: both are 404."""
    job = (
        Job.objects.viewable_by(user).select_related("actor", "unit", "region").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if job is None or not can_open(user, job):
        raise Http404
    return job
