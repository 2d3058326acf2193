"""The documents officers serve (卫生行政执法文书), as .docx from editable templates and as PDF.

- formatting: money in figures and 大写, dates, law names in 《》, document numbers with the 简称
- base: what every document prints (unit, number, party, officers) and shared lookups
- case_kinds / record_kinds: the context of each kind, from the records of its step
- samples: a made-up context per kind (upload check) and the placeholders it offers
- availability: which documents a case or inspection can print now, and what is missing
- render: template → .docx (sandboxed, autoescaped) → PDF (LibreOffice), audited as an export
- template_admin: replacing and restoring a kind's template
"""

from .availability import (
    available_kinds,
    case_missing,
    inspection_documents,
    receipts,
    record_documents,
    record_missing,
    record_of,
)
from .render import (
    DOCX_TYPE,
    PDF_TYPE,
    ConversionError,
    DocumentUnavailable,
    Rendered,
    build_context,
    document_render,
    render_docx,
    template_source,
    to_pdf,
)
from .samples import placeholders, sample_context
from .template_admin import check_template, template_reset, template_upload

__all__ = [
    "DOCX_TYPE",
    "PDF_TYPE",
    "ConversionError",
    "DocumentUnavailable",
    "Rendered",
    "available_kinds",
    "build_context",
    "case_missing",
    "check_template",
    "document_render",
    "inspection_documents",
    "placeholders",
    "receipts",
    "record_documents",
    "record_missing",
    "record_of",
    "render_docx",
    "sample_context",
    "template_reset",
    "template_source",
    "template_upload",
    "to_pdf",
]
