"""The record lists behind a form's figures: for each kind of record, the columns an officer needs
to check the figure and the link to the record itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse

from qingyuan.cases.models import PenaltyMeasure


def _date(value):
    return value.strftime("%Y-%m-%d") if value else "—"


def _measures(decision):
    parts = []
    for m in decision.measures.all():
        parts.append(f"{m.get_kind_display()}{f' {m.amount}元' if m.amount is not None else ''}")
    return "、".join(parts) or "—"


@dataclass(frozen=True)
class RecordList:
    label: str  # what one row is
    related: tuple[str, ...]  # select_related
    columns: tuple[tuple[str, Callable], ...]
    link: Callable  # record -> url
    region_path: str  # region code of the record, for jurisdiction scoping
    # Newest first by the record's own date (sites: by region), the key breaking ties, so that the
    # pages of a list are stable (penalty decisions, judgments and persons have no order of their own).
    order: tuple[str, ...]
    prefetch: tuple = ()


def _case_url(case):
    return reverse("cases:detail", args=[case.pk])


RECORD_LISTS: dict[str, RecordList] = {
    "inspection": RecordList(
        "监督检查",
        ("subject", "region"),
        (
            ("检查日期", lambda r: r.started_at.astimezone().strftime("%Y-%m-%d %H:%M")),
            ("监管对象", lambda r: r.subject.name),
            ("区划", lambda r: r.region.full_name),
            ("检查方式", lambda r: r.get_kind_display()),
            ("出动人次", lambda r: r.officer_count),
            ("车辆", lambda r: r.vehicles),
            ("处理结果", lambda r: r.get_outcome_display()),
        ),
        lambda r: reverse("inspections:detail", args=[r.pk]),
        "region__code",
        ("-started_at", "-pk"),
    ),
    "decision": RecordList(
        "处罚决定",
        ("case", "case__subject", "case__region"),
        (
            ("决定日期", lambda r: _date(r.decided_on)),
            ("案件编号", lambda r: r.case.number or "—"),
            ("当事人", lambda r: r.case.party_name),
            ("监管对象", lambda r: r.case.subject.name),
            ("区划", lambda r: r.case.region.full_name),
            ("处罚种类", _measures),
        ),
        lambda r: _case_url(r.case),
        "case__region__code",
        ("-decided_on", "-pk"),
        (Prefetch("measures", queryset=PenaltyMeasure.objects.order_by("kind")),),
    ),
    "case": RecordList(
        "案件",
        ("subject", "region"),
        (
            ("立案日期", lambda r: _date(r.opened_on)),
            ("案件编号", lambda r: r.number or "—"),
            ("案由", lambda r: r.title),
            ("当事人", lambda r: r.party_name),
            ("区划", lambda r: r.region.full_name),
            ("状态", lambda r: r.get_status_display()),
            ("录入全国信息系统", lambda r: _date(r.national_entry_on) if r.national_entry_on else "未录入"),
        ),
        _case_url,
        "region__code",
        ("-opened_on", "-pk"),
    ),
    "referral": RecordList(
        "移送",
        ("case", "case__region"),
        (
            (
                "移送时间",
                lambda r: r.transferred_at.astimezone().strftime("%Y-%m-%d") if r.transferred_at else "—",
            ),
            ("案件编号", lambda r: r.case.number or "—"),
            ("当事人", lambda r: r.case.party_name),
            ("移送对象", lambda r: f"{r.get_target_display()} {r.target_unit}"),
            ("结果", lambda r: r.get_outcome_display()),
        ),
        lambda r: _case_url(r.case),
        "case__region__code",
        ("-transferred_at", "-pk"),
    ),
    "judgment": RecordList(
        "判决",
        ("case", "case__region"),
        (
            ("判决日期", lambda r: _date(r.judged_on)),
            ("案件编号", lambda r: r.case.number or "—"),
            ("当事人", lambda r: r.case.party_name),
            ("法院", lambda r: r.court),
            ("判决结果", lambda r: r.verdict),
        ),
        lambda r: _case_url(r.case),
        "case__region__code",
        ("-judged_on", "-pk"),
    ),
    "person": RecordList(
        "追责人员",
        ("case", "judgment"),
        (
            ("姓名", lambda r: r.name),
            ("责任类型", lambda r: r.get_liability_display()),
            ("处理结果", lambda r: r.outcome),
            ("判决日期", lambda r: _date(r.judgment.judged_on) if r.judgment_id else "—"),
            ("案件编号", lambda r: r.case.number or "—"),
        ),
        lambda r: _case_url(r.case),
        "case__region__code",
        ("-judgment__judged_on", "-pk"),
    ),
    "subject": RecordList(
        "监管对象",
        ("region",),
        (
            ("名称", lambda r: r.name),
            ("类型", lambda r: r.get_kind_display()),
            ("地址", lambda r: r.address),
            ("区划", lambda r: r.region.full_name),
            ("区域类型", lambda r: r.get_location_type_display()),
            ("行医内容", lambda r: r.get_practice_content_display()),
            ("发现日期", lambda r: _date(r.found_on)),
        ),
        lambda r: reverse("subjects:detail", args=[r.pk]),
        # The snapshot form (S001-A2) counts each site in the region it was in on its date and
        # annotates that region: a site that has moved away since is still listed where it counted.
        "region_at",
        ("region_at", "pk"),
    ),
    "recheck": RecordList(
        "复查/回头看",
        ("case", "subject"),
        (
            ("检查日期", lambda r: _date(r.done_on)),
            ("类型", lambda r: r.get_kind_display()),
            ("监管对象", lambda r: r.subject.name),
            ("原案件", lambda r: r.case.number or "—"),
            ("结果", lambda r: r.get_result_display()),
        ),
        lambda r: _case_url(r.case),
        "case__region__code",
        ("-done_on", "-pk"),
    ),
    "outreach": RecordList(
        "宣教活动",
        ("region",),
        (
            ("日期", lambda r: _date(r.held_on)),
            ("活动名称", lambda r: r.title),
            ("区划", lambda r: r.region.full_name),
            ("宣教人数", lambda r: r.people_reached),
        ),
        lambda r: reverse("campaigns:detail", args=[r.campaign_id]) if r.campaign_id else "",
        "region__code",
        ("-held_on", "-pk"),
    ),
    "media": RecordList(
        "媒体报道",
        ("region",),
        (
            ("报道日期", lambda r: _date(r.published_on)),
            ("媒体", lambda r: r.outlet),
            ("标题", lambda r: r.title),
            ("区划", lambda r: r.region.full_name),
            ("报道次数", lambda r: r.count),
        ),
        lambda r: r.link or (reverse("campaigns:detail", args=[r.campaign_id]) if r.campaign_id else ""),
        "region__code",
        ("-published_on", "-pk"),
    ),
}


def rows_for(kind: str, queryset, prefix: str):
    """(record list, queryset limited to the jurisdiction prefix, ready to page)."""
    spec = RECORD_LISTS[kind]
    if prefix:
        queryset = queryset.filter(**{f"{spec.region_path}__startswith": prefix})
    queryset = (
        queryset.select_related(*spec.related)
        .prefetch_related(*spec.prefetch)
        .order_by(*spec.order)
        .distinct()
    )
    return spec, queryset


def cells(spec: RecordList, record) -> list:
    return [fn(record) for _label, fn in spec.columns]
