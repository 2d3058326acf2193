"""Form files computed away from the request (core.jobs): a province's form sums every county
under it, and laying it out as XLSX, PDF or Word takes longer than a web request may take (no
request runs longer than about 10 s). From province level up the download is a job whose page
offers the file; a city's or county's file is built in the request (reports.views.export)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from qingyuan.core.jobs import job_output_file, register
from qingyuan.regions.models import Level

from .exports import render as render_file
from .forms import FORM_CLASSES, get_form
from .params import ScopeForm

KIND = "report_export"
# Regions at this level or above (province, the whole country) get their files from a job: S003-A1
# alone takes about 1.6 s to compute for a province of 2,000,000 inspections (bench/RESULTS.md),
# grows with the province and with the period, and the PDF layout comes on top. A city or county
# holds a fraction of that and stays well inside a request.
JOB_FROM_LEVEL = Level.PROVINCE


def runs_as_job(region, fmt: str) -> bool:
    return fmt != "json" and region.level <= JOB_FROM_LEVEL


def _heading(job) -> str:
    params = job.params
    return f"{params.get('code', '')} {params.get('title', '')}（{params.get('fmt', '').upper()}）"


def _back(job):
    code = job.params.get("code", "")
    if code not in FORM_CLASSES:
        return None
    return ("返回报表", f"{reverse('reports:form', args=[code])}?{job.params.get('query', '')}")


@register(KIND, title="报表文件", perm="reports.view", heading=_heading, back=_back)
def run_report_export(job, progress):
    """The same checks as the page (the region still in the user's jurisdiction), then the file."""
    definition = get_form(job.params["code"])
    fmt = job.params["fmt"]
    form = ScopeForm(QueryDict(job.params.get("query", "")), user=job.actor)
    if not form.is_valid():
        raise ValidationError(form.error_text())
    progress(phase="计算报表")
    try:
        result = definition.compute(form.scope())
    except ValueError as exc:  # e.g. S001-A1 without its joint operation
        raise ValidationError(str(exc)) from None
    progress(phase="生成文件")
    content, content_type, name = render_file(result, fmt)
    job_output_file(job, download_name=name, content_type=content_type).write_bytes(content)
    return {"message": f"报表文件已生成：{name}"}
