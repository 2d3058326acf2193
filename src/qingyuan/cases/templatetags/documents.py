"""Document links for pages: {% document_links record kind %} beside a record (an inquiry, a hold,
an order, a hearing, a statement, a review, a discussion, a demand, a court application, a referral,
or an inspection for its 现场笔录), and {% case_documents case %} for the case page's list."""

from django import template
from django.urls import reverse

from .. import documents
from ..documents import availability
from ..models import DocumentKind

register = template.Library()


def _owner_urls(record, kind: str, served: str = "") -> tuple[str, str] | None:
    """(docx url, pdf url) of the document `kind` about `record`."""
    if kind == DocumentKind.SITE_RECORD:
        args = [record.pk, kind]
        return (
            reverse("cases:inspection_document", args=args),
            reverse("cases:inspection_document_pdf", args=args),
        )
    if kind == DocumentKind.SERVICE_RECEIPT:
        args = [record.case_id, served, record.pk]
        return reverse("cases:record_receipt", args=args), reverse("cases:record_receipt_pdf", args=args)
    if getattr(record, "case_id", None):
        args = [record.case_id, kind, record.pk]
        return reverse("cases:record_document", args=args), reverse("cases:record_document_pdf", args=args)
    if getattr(record, "inspection_id", None):
        args = [record.inspection_id, kind, record.pk]
        return (
            reverse("cases:inspection_record_document", args=args),
            reverse("cases:inspection_record_document_pdf", args=args),
        )
    return None


@register.inclusion_tag("cases/documents/_links.html")
def document_links(record, kind):
    """.docx and PDF links of one record's document, a 送达回证 for a document served on the party,
    or the step to record first when its data is not there yet."""
    if kind not in DocumentKind.values or record is None:
        return {"links": []}
    label = DocumentKind(kind).label
    missing = None if kind == DocumentKind.SITE_RECORD else availability.record_missing(kind, record)
    if missing:
        return {"links": [], "missing": f"{label}：{missing}"}
    urls = _owner_urls(record, kind)
    if urls is None:
        return {"links": []}
    links = [{"label": label, "docx": urls[0], "pdf": urls[1]}]
    if kind in availability.SERVED_RECORD_KINDS and getattr(record, "case_id", None):
        receipt = _owner_urls(record, DocumentKind.SERVICE_RECEIPT, served=kind)
        links.append({"label": f"送达回证（{label}）", "docx": receipt[0], "pdf": receipt[1]})
    return {"links": links}


@register.simple_tag
def case_documents(case):
    """The case's documents for its page: the case-level ones, each record's, and the 送达回证."""
    case_kinds = [
        {
            "label": DocumentKind(kind).label,
            "docx": reverse("cases:document", args=[case.pk, kind]),
            "pdf": reverse("cases:document_pdf", args=[case.pk, kind]),
        }
        for kind in documents.available_kinds(case)
    ]
    records = [
        {
            "label": f"{item.label}（{item.description}）" if item.description else item.label,
            "docx": reverse("cases:record_document", args=[case.pk, item.kind, item.record.pk]),
            "pdf": reverse("cases:record_document_pdf", args=[case.pk, item.kind, item.record.pk]),
        }
        for item in documents.record_documents(case)
    ]
    receipts = []
    for served, label, record in documents.receipts(case):
        if record is None:
            docx = reverse("cases:receipt", args=[case.pk, served])
            pdf = reverse("cases:receipt_pdf", args=[case.pk, served])
        else:
            docx = reverse("cases:record_receipt", args=[case.pk, served, record.pk])
            pdf = reverse("cases:record_receipt_pdf", args=[case.pk, served, record.pk])
        receipts.append({"label": f"送达回证（{label}）", "docx": docx, "pdf": pdf})
    site = []
    if case.inspection_id:
        site.append(
            {
                "label": DocumentKind.SITE_RECORD.label,
                "docx": reverse(
                    "cases:inspection_document", args=[case.inspection_id, DocumentKind.SITE_RECORD]
                ),
                "pdf": reverse(
                    "cases:inspection_document_pdf", args=[case.inspection_id, DocumentKind.SITE_RECORD]
                ),
            }
        )
    return {"case": case_kinds, "records": site + records, "receipts": receipts}
