"""A computed form as a file: JSON, XLSX (the paper layout), PDF, and Word drafts of the summaries."""

from __future__ import annotations

import json

from django.utils.module_loading import import_string

from ..forms.base import FormResult
from ..serialize import to_json

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

# fmt -> "module.function" taking a FormResult and returning bytes
RENDERERS = {
    "xlsx": "qingyuan.reports.exports.xlsx.render",
    "pdf": "qingyuan.reports.exports.pdf.render",
    "docx": "qingyuan.reports.exports.docx.render",
}


def render_json(result: FormResult) -> bytes:
    return json.dumps(to_json(result), ensure_ascii=False, indent=2).encode()


def file_name(result: FormResult, fmt: str) -> str:
    scope = result.scope
    return f"{result.code}_{scope.region.name}_{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.{fmt}"


def render(result: FormResult, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name); KeyError for an unknown format."""
    if fmt == "json":
        content = render_json(result)
    else:
        content = import_string(RENDERERS[fmt])(result)
    return content, CONTENT_TYPES[fmt], file_name(result, fmt)
