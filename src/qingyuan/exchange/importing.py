"""Reading other regions' feeds: pull page by page, verify, store as ExternalPenalty.

Each page is verified before anything of it is stored, and is stored in one transaction together
with the advanced cursor: a failure mid-way leaves the peer exactly at the last page fully stored,
and the next pull starts there. Storing is keyed by (peer, source record id), so a page read twice
(a lost answer, a rerun) changes nothing, and a later version of a record (served, changed,
revoked) updates the row in place.
"""

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request

from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit

from . import signing
from .export import FORMAT
from .models import ExchangePeer, ExternalPenalty, RecordStatus

PAGE_SIZE = 500
MAX_PAGES = 1000  # a run stops here; the next run goes on from the stored cursor
TIMEOUT = 30


class PullError(Exception):
    """Why a pull stopped (Chinese, shown on the peer page)."""


def fetch(peer: ExchangePeer, since: str, limit: int) -> tuple[bytes, str]:
    """One page's exact body and its signature header."""
    query = urllib.parse.urlencode({k: v for k, v in {"since": since, "limit": limit}.items() if v})
    url = urllib.parse.urljoin(peer.base_url.rstrip("/") + "/", "api/v1/exchange/penalties/") + "?" + query
    request = urllib.request.Request(  # noqa: S310 (http(s) only: services.peer_save)
        url, headers={"Authorization": f"Partner {peer.partner_key}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 (URL set by an administrator)
            return answer.read(), answer.headers.get(signing.HEADER, "")
    except urllib.error.HTTPError as error:
        detail = error.read()[:300].decode(errors="replace")
        raise PullError(f"对方平台拒绝请求（HTTP {error.code}）：{detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise PullError(f"无法连接对方平台：{error}") from None


def _date(value, field: str, required: bool = True) -> dt.date | None:
    if value in (None, "") and not required:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PullError(f"记录字段 {field} 不是有效日期：{value!r}") from None


def _row(record: dict) -> dict:
    """The ExternalPenalty fields of one record; a malformed record fails the whole page."""
    try:
        source, party, offence = record["source"], record["party"], record["offence"]
        status = record["status"]
        if status not in RecordStatus.values:
            raise PullError(f"记录状态无效：{status!r}")
        return {
            "source_region_code": str(source["region_code"])[:12],
            "source_region_name": str(source["region_name"])[:200],
            "authority": str(source["authority"])[:200],
            "decision_number": str(record.get("decision_number") or "")[:100],
            "decided_on": _date(record["decided_on"], "decided_on"),
            "served_on": _date(record.get("served_on"), "served_on", required=False),
            "offence_code": str(offence.get("code") or "")[:16],
            "offence_name": str(offence.get("name") or "")[:200],
            "measures": list(record.get("measures") or []),
            "status": status,
            "status_on": _date(record.get("status_on"), "status_on", required=False),
            "party_kind": str(party["kind"])[:16],
            "party_name": str(party["name"]).strip()[:200],
            "identity_hash": str(party.get("identity_hash") or "")[:64],
            "source_entry": str(record["entry"])[:40],
        }
    except (KeyError, TypeError, AttributeError) as missing:
        raise PullError(f"记录格式不正确，缺少或错误的字段：{missing}") from None


def parse_page(peer: ExchangePeer, body: bytes, header: str, since: str) -> dict:
    """Verify and read one page; raise BadSignature or PullError, never store anything."""
    signing.verify(body, header, peer.public_key)
    try:
        page = json.loads(body)
    except ValueError:
        raise PullError("应答不是有效的 JSON") from None
    if not isinstance(page, dict) or page.get("format") != FORMAT:
        raise PullError(f"应答格式不是 {FORMAT}")
    if page.get("since", "") != since:
        # A validly signed page, but for another position: an old page replayed.
        raise PullError("应答的起始位置与请求不一致，可能是重放的旧数据")
    if not isinstance(page.get("records"), list):
        raise PullError("应答缺少 records")
    page["rows"] = [(str(r.get("record_id", ""))[:40], _row(r)) for r in page["records"]]
    if any(not rid for rid, _row_ in page["rows"]):
        raise PullError("记录缺少 record_id")
    return page


def _store(peer: ExchangePeer, page: dict) -> tuple[int, int]:
    """Store one verified page and advance the cursor, in one transaction; (new, updated)."""
    created = updated = 0
    with transaction.atomic():
        locked = ExchangePeer.objects.select_for_update().get(pk=peer.pk)
        existing = {
            e.source_record_id: e
            for e in ExternalPenalty.objects.filter(
                peer=locked, source_record_id__in=[r for r, _ in page["rows"]]
            )
        }
        new = {}
        for rid, fields in page["rows"]:
            row = existing.get(rid)
            if row is None:
                # A page may hold two versions of one record: the later one wins.
                new[rid] = ExternalPenalty(peer=locked, source_record_id=rid, **fields)
                continue
            if all(getattr(row, k) == v for k, v in fields.items() if k != "source_entry"):
                continue  # the same version again: nothing to do
            for k, v in fields.items():
                setattr(row, k, v)
            row.save()
            updated += 1
        ExternalPenalty.objects.bulk_create(new.values(), batch_size=1000)
        created = len(new)
        locked.cursor = page["next"] or locked.cursor
        locked.received += created + updated
        locked.last_error = ""
        locked.last_success_at = timezone.now()
        locked.save(update_fields=["cursor", "received", "last_error", "last_success_at"])
        if created or updated:
            audit.record(
                action=audit.AuditAction.IMPORT,
                target=locked,
                after={"cursor": locked.cursor, "created": created, "updated": updated},
            )
    peer.cursor = locked.cursor
    return created, updated


def _fail(peer: ExchangePeer, message: str, *, bad_signature: bool) -> None:
    with transaction.atomic():
        ExchangePeer.objects.filter(pk=peer.pk).update(last_error=message[:2000])
        audit.record(
            action=audit.AuditAction.VERIFY if bad_signature else audit.AuditAction.IMPORT,
            target=peer,
            after={"cursor": peer.cursor, "error": message[:500]},
            result="failed",
        )
    peer.last_error = message


def pull(
    peer: ExchangePeer, *, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES, fetcher=fetch
) -> dict:
    """Read the peer's feed from its stored cursor to the end; returns counts and the error, if any.
    `fetcher(peer, since, limit) -> (body, signature header)` is the HTTP call (a benchmark or a test
    passes another)."""
    result = {"pages": 0, "created": 0, "updated": 0, "error": ""}
    ExchangePeer.objects.filter(pk=peer.pk).update(last_pull_at=timezone.now())
    for _ in range(max_pages):
        since = peer.cursor
        try:
            body, header = fetcher(peer, since, page_size)
            page = parse_page(peer, body, header, since)
        except signing.BadSignature as bad:
            result["error"] = f"签名无效，本页未保存：{bad}"
            _fail(peer, result["error"], bad_signature=True)
            break
        except PullError as error:
            result["error"] = str(error)
            _fail(peer, result["error"], bad_signature=False)
            break
        created, updated = _store(peer, page)
        result["pages"] += 1
        result["created"] += created
        result["updated"] += updated
        if not page.get("has_more"):
            break
    return result


def pull_all() -> list[tuple[ExchangePeer, dict]]:
    return [(peer, pull(peer)) for peer in ExchangePeer.objects.filter(is_active=True)]
