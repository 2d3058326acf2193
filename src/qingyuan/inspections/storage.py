"""Evidence files on disk: the type decided by the bytes, streamed to a generated name while hashing,
kept under QINGYUAN_EVIDENCE_DIR (never a served directory) and re-hashed by `evidence_verify`."""

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

CHUNK = 1024 * 1024
HEAD = 64

JPEG, PNG, WEBP, HEIC = "image/jpeg", "image/png", "image/webp", "image/heic"
MP3, M4A, WAV, AMR = "audio/mpeg", "audio/mp4", "audio/wav", "audio/amr"
MP4, MOV = "video/mp4", "video/quicktime"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LABELS = {
    JPEG: "JPEG图片",
    PNG: "PNG图片",
    WEBP: "WebP图片",
    HEIC: "HEIC图片",
    MP3: "MP3录音",
    M4A: "M4A录音",
    WAV: "WAV录音",
    AMR: "AMR录音",
    MP4: "MP4录像",
    MOV: "MOV录像",
    PDF: "PDF文档",
    DOCX: "Word文档",
    XLSX: "Excel文档",
}

# What each kind of evidence may be: a 书证 is often photographed, so images count as documents too.
IMAGES = {JPEG, PNG, WEBP, HEIC}
ALLOWED_BY_KIND = {
    "photo": IMAGES,
    "audio": {MP3, M4A, WAV, AMR},
    "video": {MP4, MOV},
    "document": {PDF, DOCX, XLSX} | IMAGES,
    "seized": IMAGES,
}

# ISO base-media files (HEIC, M4A, MP4, MOV) share the "ftyp" box; its major brand tells them apart.
_FTYP_BRANDS = {
    b"heic": HEIC,
    b"heix": HEIC,
    b"heim": HEIC,
    b"heis": HEIC,
    b"mif1": HEIC,
    b"msf1": HEIC,
    b"M4A ": M4A,
    b"M4B ": M4A,
    b"qt  ": MOV,
}


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes; None for anything not on the list."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"#!AMR"):
        return AMR
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return MP3
    if head.startswith(b"%PDF-"):
        return PDF
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], MP4)
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):  # older QuickTime files have no ftyp box
        return MOV
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # decided by its members once the whole file is on disk
    return None


def _office_type(path: Path) -> str | None:
    # Only Word and Excel files pass; any other zip (archives, packaged programs) is refused.
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def evidence_root() -> Path:
    return Path(settings.QINGYUAN_EVIDENCE_DIR)


def full_path(relative: str) -> Path:
    root = evidence_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValidationError("证据文件路径无效")
    return path


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to QINGYUAN_EVIDENCE_DIR
    content_type: str
    size: int
    sha256: str
    original_name: str


def allowed_label(kind: str) -> str:
    return "、".join(LABELS[t] for t in LABELS if t in ALLOWED_BY_KIND.get(kind, set()))


def store(uploaded_file, *, kind: str) -> StoredFile:
    """Stream the upload to a generated name while hashing; refuse it by size or by content.

    The file is written first and checked after (zip members need the whole file); a refused file is
    removed before the error is raised, so nothing is left behind.
    """
    name = os.path.basename(getattr(uploaded_file, "name", "") or "文件")[-200:]
    limit = settings.QINGYUAN_EVIDENCE_MAX_BYTES
    if getattr(uploaded_file, "size", 0) and uploaded_file.size > limit:
        raise ValidationError({"file": f"文件“{name}”超过大小上限（{limit // (1024 * 1024)}MB）"})
    now = timezone.localtime()
    relative = f"{now:%Y}/{now:%m}/{uuid.uuid4().hex}"
    target = full_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
        chunks = (
            uploaded_file.chunks(CHUNK)
            if hasattr(uploaded_file, "chunks")
            else iter(lambda: uploaded_file.read(CHUNK), b"")
        )
        with open(partial, "xb") as out:
            for chunk in chunks:
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                size += len(chunk)
                if size > limit:
                    raise ValidationError({"file": f"文件“{name}”超过大小上限（{limit // (1024 * 1024)}MB）"})
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise ValidationError({"file": f"文件“{name}”是空文件"})
        content_type = sniff(head)
        if content_type == "zip":
            content_type = _office_type(partial)
        allowed = ALLOWED_BY_KIND.get(kind, set())
        if content_type is None:
            raise ValidationError(
                {
                    "file": f"文件“{name}”的内容不是允许的类型（按文件内容识别，不看扩展名），只接受{allowed_label(kind)}"
                }
            )
        if content_type not in allowed:
            raise ValidationError(
                {
                    "file": f"文件“{name}”是{LABELS[content_type]}，与所选证据类型不符，只接受{allowed_label(kind)}"
                }
            )
        os.replace(partial, target)
        os.chmod(target, 0o440)  # evidence is never edited in place
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredFile(
        path=relative, content_type=content_type, size=size, sha256=digest.hexdigest(), original_name=name
    )


def discard(relative: str) -> None:
    """Remove a file written for a record that was then not saved."""
    try:
        target = full_path(relative)
        os.chmod(target, 0o640)
        target.unlink(missing_ok=True)
    except (OSError, ValidationError):
        pass


def file_hash(relative: str) -> tuple[str, int] | None:
    """(SHA-256, size) of a stored file, streamed; None when the file is missing."""
    try:
        path = full_path(relative)
        digest, size = hashlib.sha256(), 0
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, IsADirectoryError, ValidationError):
        return None
    return digest.hexdigest(), size
