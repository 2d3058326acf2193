"""Register leads from e-mails exported by the complaints mailbox (.eml files).

Each message becomes one lead of channel “电子邮件”: subject and plain-text body (or the HTML
body stripped of tags) are the content, the Date header the time received, a line beginning
with 地点/地址 the place (else the subject). The sender wrote under their own address, so the
lead is real-name with that address as the reporter's only contact (encrypted like every
reporter field, never printed here); the answer reaches them through the tracking code or an
officer's reply to that address.

A message is recognised by the SHA-256 of its Message-ID (of the whole file when it has none),
kept in `external_id` with no partner, so running the import twice registers nothing the second
time. Each file is one transaction: it is registered entirely or not at all; an attachment of a
type or size we do not accept is left out and named in the output, it does not stop the lead.
"""

import email
import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.utils import parseaddr
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from qingyuan.leads import services
from qingyuan.leads.models import Channel, Lead
from qingyuan.leads.uploads import MAX_FILES, check_files
from qingyuan.regions.models import Unit

PLACE_LINE = re.compile(r"^\s*(?:地点|地址)\s*[:：]?\s*(?P<place>.+?)\s*$", re.MULTILINE)


@dataclass
class ImportActor:
    """Who the audit log names for a scripted import. Not a user: it creates no `created_by`
    and holds no permission; its `unit` is the routing fallback given with --unit."""

    username: str
    unit: Unit | None
    is_authenticated: bool = False


@dataclass
class Parsed:
    message_key: str
    message_id: str
    received_at: object
    content: str
    place: str
    sender_name: str
    sender_email: str
    attachments: list
    skipped: list


def message_key(message_id: str, raw: bytes) -> str:
    return hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()


def _text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return part.get_content()
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        return re.sub(r"\n\s*\n+", "\n", strip_tags(part.get_content()))
    return ""


def parse(raw: bytes) -> Parsed:
    message = email.message_from_bytes(raw, policy=policy.default)
    subject = str(message.get("subject", "") or "").strip()
    body = _text(message).strip()
    if not subject and not body:
        raise ValidationError("邮件没有主题也没有正文")
    try:
        received_at = message["date"].datetime if message["date"] else None
    except (TypeError, ValueError, AttributeError):
        received_at = None
    if received_at is None:
        raise ValidationError("缺少或无法识别 Date（发信时间）邮件头")
    if timezone.is_naive(received_at):  # "-0000" means "zone unknown": read it as local time
        received_at = timezone.make_aware(received_at)
    if received_at > timezone.now() + timezone.timedelta(minutes=5):
        raise ValidationError("Date（发信时间）晚于现在")
    name, address = parseaddr(str(message.get("from", "") or ""))
    if "@" not in address:
        raise ValidationError("缺少或无法识别发件人地址（From）")
    match = PLACE_LINE.search(body)
    place = (match.group("place") if match else subject)[:300]
    attachments, skipped = [], []
    for index, part in enumerate(message.iter_attachments(), start=1):
        filename = part.get_filename() or f"附件{index}"
        if len(attachments) >= MAX_FILES:
            skipped.append(f"附件“{filename}”：附件最多{MAX_FILES}个，其余未导入")
            continue
        upload = SimpleUploadedFile(filename, part.get_payload(decode=True) or b"")
        try:
            attachments.extend(check_files([upload]))
        except ValidationError as exc:
            skipped.append("；".join(exc.messages))
    message_id = str(message.get("message-id", "") or "").strip()
    return Parsed(
        message_key=message_key(message_id, raw),
        message_id=message_id,
        received_at=received_at,
        content=f"{subject}\n\n{body}".strip()[:5000],
        place=place,
        sender_name=name.strip()[:50],
        sender_email=address.strip(),
        attachments=attachments,
        skipped=skipped,
    )


def import_message(raw: bytes, *, actor) -> tuple[Lead | None, list[str]]:
    """Register one message; None when it was imported before. Raises ValidationError if it cannot be."""
    parsed = parse(raw)
    with transaction.atomic():
        if Lead.objects.filter(channel=Channel.EMAIL, partner=None, external_id=parsed.message_key).exists():
            return None, []
        lead = services.lead_register(
            actor=actor,
            channel=Channel.EMAIL,
            received_at=parsed.received_at,
            content=parsed.content,
            place=parsed.place,
            reporter={"name": parsed.sender_name, "email": parsed.sender_email},
            attachments=parsed.attachments,
            transfer_document=f"电子邮件 {parsed.message_id}"[:200] if parsed.message_id else "电子邮件",
            external_id=parsed.message_key,
        )
    return lead, parsed.skipped


def eml_files(paths) -> list[Path]:
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml" and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"文件或目录不存在：{name}")
    return files


class Command(BaseCommand):
    help = "从举报邮箱导出的 .eml 邮件登记线索（每封一个事务；已导入的邮件跳过，重复运行不会重复登记）"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help=".eml 文件或包含 .eml 文件的目录")
        parser.add_argument("--unit", type=int, help="地点无法识别时的兜底承办单位编号")

    def handle(self, *args, paths, unit=None, **options):
        fallback = None
        if unit is not None:
            fallback = Unit.objects.select_related("region").filter(pk=unit).first()
            if fallback is None:
                raise CommandError(f"单位编号 {unit} 不存在")
        actor = ImportActor(username="import_eml", unit=fallback)
        created = duplicates = failed = 0
        for path in eml_files(paths):
            try:
                lead, skipped = import_message(path.read_bytes(), actor=actor)
            except ValidationError as exc:
                failed += 1
                self.stderr.write(f"{path.name}：未导入，{'；'.join(exc.messages)}")
                continue
            if lead is None:
                duplicates += 1
                self.stdout.write(f"{path.name}：已导入过，跳过")
                continue
            created += 1
            self.stdout.write(f"{path.name}：已登记线索 {lead.number}，承办单位：{lead.handling_unit}")
            for message in skipped:
                self.stdout.write(f"{path.name}：{message}，该附件未导入")
        summary = f"完成：新登记 {created} 封，已导入过 {duplicates} 封，失败 {failed} 封"
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
