"""Pages of every list in the API, in two modes (docs/api.md "分页与增量同步").

Browsing: `?page=2&page_size=200` — numbered pages with a total `count`.

Sync: `?updated_since=2025-03-01T00:00:00+08:00` (or `?cursor=<next_cursor>`) — rows in the order of
(updated_at, id), each page starting strictly after the last row of the one before. The position is
a pair, not an offset, so rows written between two requests neither shift a page (nothing skipped,
nothing served twice) nor get lost: a row changed after it was served gets a later updated_at and
comes again, in its new state, on a later page. Rows sharing one timestamp are told apart by id.
The cursor is signed, so a client cannot forge a position, and opaque, so its form may change.

A write's updated_at is taken before its transaction commits; a row committed a moment later with
an earlier time would fall behind a cursor that already passed it. Sync pages therefore stop short
of the last QINGYUAN_API_SYNC_SETTLE_SECONDS: those rows come on the next call.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

SYNC_FIELD = "updated_at"
CURSOR_SALT = "qingyuan.api.sync-cursor"


def max_page_size() -> int:
    return settings.QINGYUAN_API_MAX_PAGE_SIZE


def page_size_from(request, default: int) -> int:
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ValidationError({"page_size": f"每页条数（page_size）应为1至{max_page_size()}的整数"}) from None
    if not 1 <= size <= max_page_size():
        raise ValidationError(
            {"page_size": f"每页条数（page_size）应为1至{max_page_size()}的整数，不能超过{max_page_size()}"}
        )
    return size


def parse_since(raw: str) -> dt.datetime:
    try:
        since = parse_datetime(raw.strip())
    except ValueError:
        since = None
    if since is None:
        raise ValidationError(
            {"updated_since": "起始时间（updated_since）格式应为 ISO 8601，如 2025-03-01T00:00:00+08:00"}
        )
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    return since


def encode_cursor(updated_at: dt.datetime, pk: int) -> str:
    return signing.dumps([updated_at.isoformat(), pk], salt=CURSOR_SALT, compress=True)


def decode_cursor(token: str) -> tuple[dt.datetime, int]:
    try:
        stamp, pk = signing.loads(token, salt=CURSOR_SALT)
        return dt.datetime.fromisoformat(stamp), int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(
            {"cursor": "同步游标（cursor）无效：请使用上一页返回的 next_cursor 原样传回"}
        ) from None


class ApiPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    sync = False

    def get_page_size(self, request):
        return page_size_from(request, self.page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        self.sync = bool(params.get("cursor") or params.get("updated_since"))
        if not self.sync:
            return super().paginate_queryset(queryset, request, view)
        if SYNC_FIELD not in {f.name for f in queryset.model._meta.get_fields()}:
            raise ValidationError({"updated_since": "该接口不支持增量同步"})
        size = self.get_page_size(request)
        queryset = queryset.order_by(SYNC_FIELD, "pk")
        settle = settings.QINGYUAN_API_SYNC_SETTLE_SECONDS
        if settle:
            queryset = queryset.filter(
                **{f"{SYNC_FIELD}__lte": timezone.now() - dt.timedelta(seconds=settle)}
            )
        self.position = None
        if params.get("cursor"):
            stamp, pk = self.position = decode_cursor(params["cursor"])
            queryset = queryset.filter(
                Q(**{f"{SYNC_FIELD}__gt": stamp}) | Q(**{SYNC_FIELD: stamp, "pk__gt": pk})
            )
        elif params.get("updated_since"):
            queryset = queryset.filter(**{f"{SYNC_FIELD}__gte": parse_since(params["updated_since"])})
        rows = list(queryset[: size + 1])
        self.more = len(rows) > size
        rows = rows[:size]
        if rows:
            self.position = (getattr(rows[-1], SYNC_FIELD), rows[-1].pk)
        return rows

    def _next_cursor(self):
        return encode_cursor(*self.position) if self.position else None

    def get_paginated_response(self, data):
        if not self.sync:
            return Response(
                OrderedDict(
                    count=self.page.paginator.count,
                    next=self.get_next_link(),
                    previous=self.get_previous_link(),
                    next_cursor=None,
                    results=data,
                )
            )
        token = self._next_cursor()
        next_url = None
        if self.more and token:
            url = remove_query_param(self.request.build_absolute_uri(), "updated_since")
            next_url = replace_query_param(url, "cursor", token)
        # At the end, next_cursor is still given: the client keeps it and resumes from it later.
        return Response(
            OrderedDict(count=None, next=next_url, previous=None, next_cursor=token, results=data)
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "next_cursor", "results"],
            "properties": {
                "count": {"type": "integer", "nullable": True, "description": "总条数；增量同步时为空"},
                "next": {"type": "string", "nullable": True, "format": "uri", "description": "下一页地址"},
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "上一页地址",
                },
                "next_cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "增量同步的游标：原样作为 cursor 传回取下一页；最后一页也返回，保存后下次从此继续",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "页码（浏览模式）",
                "schema": {"type": "integer"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"每页条数，默认{self.page_size}，最大{max_page_size()}；超过最大值返回 400",
                "schema": {"type": "integer", "minimum": 1, "maximum": max_page_size()},
            },
            {
                "name": "updated_since",
                "required": False,
                "in": "query",
                "description": "增量同步：只返回此时刻（含）之后新建或修改的记录，按 (updated_at, id) 排序",
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "增量同步：上一页返回的 next_cursor",
                "schema": {"type": "string"},
            },
        ]
