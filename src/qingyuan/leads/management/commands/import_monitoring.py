"""Register leads found by information monitoring (信息监测): online ads and posts collected into
a CSV with the columns 发现时间,来源平台,链接,内容,地点.

All or nothing: every row is checked first and every problem is reported with its line number;
only a clean file is registered, in one transaction (SECURITY.md “imports are all or nothing”).
A row already registered (same platform, link and content, kept as a hash in `external_id`) is
skipped, so importing the same file twice registers nothing the second time.
"""

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from qingyuan.leads import services
from qingyuan.leads.models import Channel, Lead
from qingyuan.regions.models import Unit

from .import_eml import ImportActor

HEADERS = ["发现时间", "来源平台", "链接", "内容", "地点"]
TIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
]


@dataclass
class Row:
    line: int
    found_at: dt.datetime
    platform: str
    link: str
    content: str
    place: str

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.platform}\n{self.link}\n{self.content}".encode()).hexdigest()


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # Excel on Chinese Windows saves CSV in GBK


def _parse_time(value: str):
    for fmt in TIME_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(value, fmt))
        except ValueError:
            continue
    return None


def read_rows(path: Path) -> list[Row]:
    """Every row checked; raises one ValidationError listing every problem by line."""
    reader = csv.reader(_read_text(path).splitlines())
    header = [h.strip() for h in next(reader, [])]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise ValidationError(f"第1行：缺少列“{'、'.join(missing)}”，应为：{','.join(HEADERS)}")
    index = {h: header.index(h) for h in HEADERS}
    rows, errors = [], []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        value = {h: cells[i].strip() for h, i in index.items()}
        found_at = _parse_time(value["发现时间"])
        problems = []
        if found_at is None:
            problems.append(f"发现时间“{value['发现时间']}”无法识别，应如 2025-03-01 09:30")
        elif found_at > timezone.now() + dt.timedelta(minutes=5):
            problems.append("发现时间晚于现在")
        if not value["来源平台"]:
            problems.append("来源平台不能为空")
        if not value["链接"]:
            problems.append("链接不能为空")
        if not value["内容"]:
            problems.append("内容不能为空")
        elif len(value["内容"]) > 5000:
            problems.append("内容不能超过5000字")
        if len(value["地点"]) > 300:
            problems.append("地点不能超过300字")
        if problems:
            errors.extend(f"第{line}行：{p}" for p in problems)
            continue
        rows.append(Row(line, found_at, value["来源平台"], value["链接"], value["内容"], value["地点"]))
    if errors:
        raise ValidationError(errors)
    return rows


def import_monitoring(path: Path, *, actor) -> tuple[list[Lead], int]:
    rows = read_rows(path)
    created, skipped = [], 0
    with transaction.atomic():
        for row in rows:
            if Lead.objects.filter(channel=Channel.MONITORING, partner=None, external_id=row.key).exists():
                skipped += 1
                continue
            try:
                lead = services.lead_register(
                    actor=actor,
                    channel=Channel.MONITORING,
                    received_at=row.found_at,
                    content=row.content,
                    place=row.place,
                    transfer_document=f"{row.platform} {row.link}"[:200],
                    external_id=row.key,
                )
            except ValidationError as exc:
                # Raising inside the atomic block undoes the rows already registered from this file.
                raise ValidationError([f"第{row.line}行：{m}" for m in exc.messages]) from None
            created.append(lead)
    return created, skipped


class Command(BaseCommand):
    help = "从信息监测 CSV（列：发现时间,来源平台,链接,内容,地点）登记线索（整文件校验，有错则整文件不导入）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件路径（UTF-8 或 GBK）")
        parser.add_argument("--unit", type=int, help="地点无法识别时的兜底承办单位编号")

    def handle(self, *args, file, unit=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        fallback = None
        if unit is not None:
            fallback = Unit.objects.select_related("region").filter(pk=unit).first()
            if fallback is None:
                raise CommandError(f"单位编号 {unit} 不存在")
        try:
            created, skipped = import_monitoring(
                path, actor=ImportActor(username="import_monitoring", unit=fallback)
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"导入失败，未写入任何数据（{len(exc.messages)} 条错误信息，见上）") from None
        for lead in created:
            self.stdout.write(f"已登记线索 {lead.number}，承办单位：{lead.handling_unit}")
        self.stdout.write(self.style.SUCCESS(f"导入完成：新登记 {len(created)} 条，已登记过 {skipped} 条"))
