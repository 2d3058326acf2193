"""The web upload of a ledger as a job (core.jobs): the file is stored and queued, and a task worker
imports it with the importer the command `import_ledger` calls: the same checks, the same
all-or-nothing write. The job page follows it through reading, checking and writing to the counts
of each sheet or every error."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qingyuan.core.jobs import (
    JobDuplicate,
    job_create,
    job_file,
    job_input_store,
    job_unfinished_for,
    register,
)
from qingyuan.core.models import Job
from qingyuan.core.scoping import jurisdiction_prefix

from . import SHEETS, WRITING, clean_file_name, import_warnings, ledger_import, require_import
from .columns import SHEETS_BY_KEY
from .flat import FLAT_KEY
from .reading import CSV, MAX_BYTES, format_of
from .writing import refuse_same_file

KIND = "ledger_import"
# The job page lists the warnings with the counts; the import's detail page lists all of them.
WARNINGS_SHOWN = 50


def _still_running(job: Job) -> str:
    who = job.actor.full_name or job.actor.username
    return (
        f"该文件已于{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}由{job.unit or ''}{who}上传"
        f"（文件名“{job.input_original}”，导入任务#{job.pk}），正在导入（{job.get_status_display()}），"
        "请等待该任务结束后查看结果，不要重复上传"
    )


def ledger_job_create(*, actor, upload, kind: str = "") -> Job:
    """Store an uploaded ledger under a generated name (never the user's) and queue its import.

    What can be told without reading the rows is refused here, on the upload page: a file of
    another format, a CSV whose sheet is not chosen, a file imported before, or one whose earlier
    upload is still being imported.
    """
    require_import(actor)
    if jurisdiction_prefix(actor) is None or actor.unit_id is None:
        raise ValidationError(["您的账号没有所属单位或已停用，不能导入"])
    file_name = clean_file_name(upload.name)
    fmt = format_of(file_name)
    if fmt == CSV and kind not in SHEETS_BY_KEY and kind != FLAT_KEY:
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
    running = job_unfinished_for(KIND, sha256)
    if running is not None:
        raise ValidationError([_still_running(running)])
    stored = job_input_store(content, original=file_name, suffix=fmt)
    try:
        return job_create(kind=KIND, actor=actor, params={"sheet": kind if fmt == CSV else ""}, stored=stored)
    except JobDuplicate as exc:
        raise ValidationError([_still_running(exc.job)]) from None


def ledger_result(record) -> dict:
    """The job's result: the rows imported per sheet, the warnings (each 对象编号 whose 发现日期 was
    taken from its first event), and the way to the import's detail page."""
    counts = [[sheet.name, record.counts[sheet.name]] for sheet in SHEETS if sheet.name in record.counts]
    text = "，".join(f"{name} {n}" for name, n in counts)
    warnings = import_warnings(record)
    message = f"导入完成：{text}。已计入统计报表。"
    if warnings:
        message += (
            f"有{len(warnings)}条提示（如发现日期晚于最早的检查或立案日期，已按最早日期导入），请核对。"
        )
        counts += [["提示", w] for w in warnings[:WARNINGS_SHOWN]]
        if len(warnings) > WARNINGS_SHOWN:
            counts.append(["提示", f"另有{len(warnings) - WARNINGS_SHOWN}条，见导入详情"])
    return {
        "message": message,
        "warnings": warnings,
        "counts": counts,
        "ledger_import": record.pk,
        "links": [
            {
                "label": f"查看导入详情（导入记录#{record.pk}）",
                "url": "reports:ledger_detail",
                "args": [record.pk],
            }
        ],
    }


@register(
    KIND,
    title="历史台账导入",
    perm="reports.import",
    back=lambda job: ("返回历史台账导入", reverse("reports:ledger")),
    count_label="行",
    refused_hint="请在台账中改正后重新上传整份文件。",
)
def run_ledger_import(job, progress):
    def on_progress(phase: str, done: int, total: int) -> None:
        if phase == WRITING:
            progress(total, total, "写入中")
        elif done < total:
            progress(done, total, "校验中")
        else:
            progress(done, total, "核对编号引用和平台中已有的数据")

    progress(phase="读取文件")
    record = ledger_import(
        actor=job.actor,
        content=job_file(job.input_name).read_bytes(),
        file_name=job.input_original,
        kind=job.params.get("sheet") or None,
        progress=on_progress,
    )
    return ledger_result(record)
