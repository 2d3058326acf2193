"""The registry import as a job (core.jobs): the upload page stores the file and queues it; a task
worker checks the whole file, its progress shown on the job page, then writes it in one
transaction ("写入中"), so a worker that dies part-way has written nothing and the job is retried."""

from django.urls import reverse

from qingyuan.core.jobs import job_file, register

from . import importing
from .models import ImportKind

CHECKING, WRITING = "校验中", "写入中"


def kind_label(job) -> str:
    kind = job.params.get("kind")
    return ImportKind(kind).label if kind in ImportKind.values else "医疗机构与执业人员"


def job_heading(job) -> str:
    return f"{kind_label(job)}导入：{job.input_original}"


@register(
    "registry_import",
    title="医疗机构与执业人员导入",
    perm="registry.import",
    heading=job_heading,
    back=lambda job: ("返回导入医疗机构与执业人员", reverse("registry:import")),
    count_label="行",
    refused_hint="请修改以下各行后重新上传整份文件。",
)
def run_registry_import(job, progress):
    if job.params.get("kind") == ImportKind.INSTITUTIONS:
        importer, listing, label = importing.import_institutions, "registry:institution_list", "查看医疗机构"
    else:
        importer, listing, label = (
            importing.import_practitioners,
            "registry:practitioner_list",
            "查看执业人员",
        )

    def on_rows(done: int, total: int | None) -> None:
        # done == total: every row is read and checked, the write begins.
        progress(done, total, WRITING if done == total else CHECKING)

    result = importer(actor=job.actor, path=job_file(job.input_name), progress=on_rows)
    unchanged = max(0, result.total - result.created - result.updated)
    progress(result.total, result.total)
    return {
        "message": (
            f"导入完成：共 {result.total} 行，新增 {result.created} 条，更新 {result.updated} 条，"
            f"未变 {unchanged} 条。"
        ),
        "counts": [
            ["总行数", result.total],
            ["新增", result.created],
            ["更新", result.updated],
            ["未变", unchanged],
        ],
        "links": [{"label": label, "url": listing}],
    }
