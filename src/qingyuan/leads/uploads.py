"""Attachment checks for tips: type decided by the file's content, not its name; size limits.
Reading one back goes through `attachment_open`, which records the read."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5

# (magic prefix, offset, mime type, label)
_SIGNATURES = [
    (b"\xff\xd8\xff", 0, "image/jpeg", "JPEG图片"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "PNG图片"),
    (b"GIF8", 0, "image/gif", "GIF图片"),
    (b"%PDF-", 0, "application/pdf", "PDF文档"),
    (b"ID3", 0, "audio/mpeg", "MP3音频"),
    (b"\xff\xfb", 0, "audio/mpeg", "MP3音频"),
    (b"ftyp", 4, "video/mp4", "MP4视频"),
    (b"PK\x03\x04", 0, "application/zip", "Office文档"),
]
ALLOWED_LABEL = "JPEG/PNG/GIF图片、PDF、MP3、MP4、Word/Excel文档"


def sniff(head: bytes) -> str | None:
    for magic, offset, mime, _label in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return _office_type(head) if mime == "application/zip" else mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _office_type(head: bytes) -> str | None:
    # .docx/.xlsx are zip files; anything else zipped (archives, executables) is refused.
    if b"word/" in head:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if b"xl/" in head:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if b"[Content_Types].xml" in head:
        return "application/vnd.openxmlformats-officedocument"
    return None


def check_files(files) -> list[dict]:
    """Validate uploads; return their facts (type, size, hash) or raise with a message per file."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError(f"附件最多{MAX_FILES}个")
    checked, errors = [], []
    for upload in files:
        if upload.size > MAX_FILE_BYTES:
            errors.append(f"附件“{upload.name}”超过10MB")
            continue
        upload.seek(0)
        head = upload.read(4096)
        mime = sniff(head)
        if mime is None:
            errors.append(f"附件“{upload.name}”的类型不允许，只接受{ALLOWED_LABEL}")
            continue
        digest = hashlib.sha256(head)
        for chunk in iter(lambda u=upload: u.read(1024 * 1024), b""):
            digest.update(chunk)
        upload.seek(0)
        checked.append(
            {
                "file": upload,
                "content_type": mime,
                "size": upload.size,
                "sha256": digest.hexdigest(),
                "original_name": upload.name[-200:],
            }
        )
    if errors:
        raise ValidationError(errors)
    return checked


def attachment_open(*, actor, attachment):
    """Open a lead's attachment for `actor` (already checked by the caller) and audit the read: a
    tip's photos and documents can identify the reporter as surely as a name (信访工作条例 第30条)."""
    from qingyuan.core import audit
    from qingyuan.core.models import AuditAction

    lead = attachment.lead
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditAction.REVEAL,
            target=attachment,
            target_repr=f"{lead} 附件#{attachment.pk}",  # not the file name: it may name a person
            region_code=lead.handling_unit.region_id,
            after={"lead": lead.pk, "attachment": attachment.pk, "sha256": attachment.sha256},
        )
    return attachment.file.open("rb")
