"""manage.py report S003-A1 --region 320506 --from 2024-01-01 --to 2024-06-30 --format xlsx

Produces one official form from the command line, checked by the same rules as the web page (the
command line has no user, so every region may be asked for). JSON goes to standard output unless -o
names a file; the other formats go to the file name the web download would use, in the current
directory, unless -o names another ("-" for standard output).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingyuan.core import audit
from qingyuan.reports.exports import CONTENT_TYPES, render
from qingyuan.reports.forms import FORM_CLASSES, get_form
from qingyuan.reports.params import ScopeForm

# ScopeForm field -> the option that fills it, for messages naming what to correct
OPTIONS = {
    "region": "--region",
    "start": "--from",
    "end": "--to",
    "operation": "--operation",
    "campaign": "--campaign",
}


class Command(BaseCommand):
    help = "生成统计报表（JSON、XLSX、PDF，工作总结和季度报告另有Word）"

    def add_arguments(self, parser):
        parser.add_argument("code", help=f"报表编号：{'、'.join(FORM_CLASSES)}")
        parser.add_argument("--region", required=True, help="区划代码（县（区）或以上），如 320506")
        parser.add_argument("--from", dest="start", required=True, help="统计期起，如 2024-01-01")
        parser.add_argument("--to", dest="end", required=True, help="统计期止，如 2024-06-30")
        parser.add_argument("--operation", help="联动执法行动编号（S001-A1 必填，S001-A3 可选）")
        parser.add_argument("--campaign", help="专项行动编号：只统计该专项行动的记录")
        parser.add_argument(
            "--format", dest="fmt", default="json", choices=list(CONTENT_TYPES), help="文件格式"
        )
        parser.add_argument(
            "-o", "--output", help="输出文件；“-”为标准输出。默认 JSON 输出到标准输出，其他格式写入当前目录"
        )

    def handle(self, *args, code, region, start, end, operation, campaign, fmt, output, **options):
        if code not in FORM_CLASSES:
            raise CommandError(f"报表编号“{code}”不存在，可选：{'、'.join(FORM_CLASSES)}")
        data = {"region": region, "start": start, "end": end, "operation": operation, "campaign": campaign}
        form = ScopeForm({k: v for k, v in data.items() if v not in (None, "")}, user=None)
        if not form.is_valid():
            raise CommandError(
                "；".join(
                    f"{OPTIONS.get(field, '')}（{form.fields[field].label}）：{'，'.join(errors)}"
                    if field in form.fields
                    else "，".join(errors)
                    for field, errors in form.errors.items()
                )
            )
        scope = form.scope()
        try:
            result = get_form(code).compute(scope)
            content, _content_type, name = render(result, fmt)
        except (ValueError, ValidationError) as error:
            message = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(f"{code}：{message}") from None
        audit.record(
            action=audit.AuditAction.EXPORT,
            target_type="reports.form",
            target_repr=f"{code} {fmt}",
            region_code=scope.region.code,
            after={
                "form": code,
                "format": fmt,
                "params": {k: v for k, v in data.items() if v},
                "via": "command",
            },
        )
        if output == "-" or (output is None and fmt == "json"):
            if fmt == "json":
                self.stdout.write(content.decode())
            else:
                sys.stdout.buffer.write(content)
                sys.stdout.buffer.flush()
            return
        path = Path(output or name)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"-o：无法写入文件“{path}”：{error.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"已生成 {path}（{len(content)} 字节）"))
