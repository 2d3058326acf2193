"""The one job page (polled with htmx until the job ends), its file download, and 我的任务."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header

from . import audit
from .jobs import job_file, job_for_viewer, kind_of
from .models_jobs import Job, JobStatus

PER_PAGE = 25


def _links(job: Job) -> list[tuple[str, str]]:
    found = []
    for link in job.result.get("links", []) if isinstance(job.result, dict) else []:
        try:
            found.append((link["label"], reverse(link["url"], args=link.get("args", []))))
        except (KeyError, TypeError, NoReverseMatch):
            continue
    return found


def _context(job: Job) -> dict:
    spec = kind_of(job)
    result = job.result if isinstance(job.result, dict) else {}
    return {
        "job": job,
        "title": spec.heading_for(job) if spec else f"任务#{job.pk}",
        "kind_title": spec.title if spec else "后台任务",
        "count_label": spec.count_label if spec else "",
        "refused_hint": spec.refused_hint if spec else "",
        "back": spec.back(job) if spec and spec.back else None,
        "message": result.get("message", ""),
        "counts": result.get("counts", []),
        "links": _links(job),
    }


@login_required
def job_detail(request, pk):
    job = job_for_viewer(request.user, pk)
    template = "core/_job_progress.html" if request.htmx else "core/job.html"
    return render(request, template, _context(job))


@login_required
def job_download(request, pk):
    job = job_for_viewer(request.user, pk)
    if not job.has_output:
        raise Http404
    try:
        handle = open(job_file(job.output_name), "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise Http404 from None
    audit.record(
        actor=request.user,
        action=audit.AuditAction.EXPORT,
        target=job,
        region_code=job.region_id or "",
        after={"kind": job.kind, "file": job.output_download_name, "size": job.output_size},
        request=request,
    )
    response = FileResponse(handle, content_type=job.output_content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, job.output_download_name)
    return response


@login_required
def job_list(request):
    """我的任务: the user's own jobs, newest first (others' jobs are reached from the page they
    belong to, e.g. the recent uploads of an import page)."""
    jobs = Job.objects.filter(actor=request.user).select_related("unit")
    page = Paginator(jobs, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for job in page.object_list:
        spec = kind_of(job)
        rows.append((job, spec.heading_for(job) if spec else f"任务#{job.pk}"))
    return render(
        request,
        "core/job_list.html",
        {
            "title": "我的任务",
            "page": page,
            "rows": rows,
            "querystring": "",
            "unfinished": any(not job.is_finished for job in page.object_list),
            "statuses": JobStatus,
        },
    )
