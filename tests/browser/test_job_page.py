"""Through a real Chromium: a clerk uploads an institutions file and lands on the job page, which
shows the counts when the import ends; a running job's page follows it by itself to the end and
offers the file; 我的任务 is one click from the navigation, on an office screen and on a phone."""

import csv
import io
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.core.jobs import job_file, job_output_file
from qingyuan.core.models import Job, JobStatus
from qingyuan.core.tests.factories import make_job
from qingyuan.registry.importing import INSTITUTIONS

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def institutions_csv(path) -> Path:
    row = {
        "机构名称": "吴中区木渎仁心诊所",
        "机构类别": "诊所",
        "许可/备案": "执业许可证",
        "许可证号/备案号": "PDY32050600001",
        "有效期至": "2030-12-31",
        "所在区划代码": "320506100201",
        "地址": "木渎镇金星村1号",
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(INSTITUTIONS.headers)
    writer.writerow([row.get(h, "") for h in INSTITUTIONS.headers])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_clerk_uploads_and_the_job_page_shows_the_counts(page, log_in, personas, media, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, "clerk")
    page.goto("/registry/import/")
    page.get_by_label("导入内容").select_option("institutions")
    page.get_by_label("文件").set_input_files(str(institutions_csv(tmp_path / "机构台账.csv")))
    page.get_by_role("button", name="上传并导入").click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("医疗机构导入：机构台账.csv")
    expect(page.locator("#job-progress")).to_contain_text("导入完成：共 1 行，新增 1 条")
    expect(page.locator("#job-counts")).to_contain_text("新增")
    shot(page, "job-done-1366")

    page.locator("#mainnav").get_by_role("link", name="我的任务").click()
    expect(page).to_have_url(re.compile(r"/jobs/$"))
    expect(page.locator("#job-list")).to_contain_text("医疗机构导入：机构台账.csv")
    expect(page.locator("#job-list")).to_contain_text("已完成")
    assert page.bad_responses == []


def test_a_running_job_page_follows_the_job_to_its_file_on_a_phone(new_page, log_in, personas, media):
    job = make_job(
        personas["alice"],
        kind="list_export",
        status=JobStatus.RUNNING,
        phase="正在生成 Excel 文件",
        done=1200,
        total=4800,
        params={"list": "subjects.subject_list", "title": "监管对象", "filters": {}, "path": "/subjects/"},
    )
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    log_in(page, "alice")
    page.goto(f"/jobs/{job.pk}/")
    progress = page.locator("#job-progress")
    expect(progress).to_contain_text("正在生成 Excel 文件：1200 / 4800 行")
    shot(page, "job-running-375")

    # The worker finishes: the page, polling every second, shows the result and the file.
    job_output_file(job, download_name="监管对象-202412011200.xlsx", content_type="application/octet-stream")
    job_file(job.output_name).write_bytes(b"x" * 2048)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        done=4800,
        result={"message": "已导出监管对象 4800 行。", "counts": [["导出行数", 4800]]},
        output_name=job.output_name,
        output_download_name=job.output_download_name,
        output_content_type=job.output_content_type,
        output_size=2048,
        finished_at=timezone.now(),
    )
    expect(progress).to_contain_text("已导出监管对象 4800 行。", timeout=10_000)
    button = page.get_by_role("link", name=re.compile("下载 监管对象-202412011200.xlsx"))
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["width"] <= 375 and box["height"] >= 40  # fits the phone, large enough to tap
    shot(page, "job-done-375")

    page.locator(".navbar-toggler").click()
    page.locator("#mainnav").get_by_role("link", name="我的任务").click()
    expect(page.locator("#job-list")).to_contain_text("导出监管对象")
    shot(page, "my-jobs-375")
    assert page.bad_responses == []
