"""The four forms of seed 001 (打击无证行医联动执法工作实施方案, 附件1–4; FORMS.md S001-A1 … S001-A4).

S001-A1 lists the supervisors nominated for a joint operation; S001-A2 is a snapshot of the
unlicensed sites known at the period's end, each read in the region and with the joint-action flag it
had on that date (SubjectChange); S001-A3 is one row of figures for a period or one joint operation;
S001-A4 lists the cases opened in the period with what had become of them by the period's end.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as Choose
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from qingyuan.campaigns.models import MediaReport, OutreachEvent
from qingyuan.cases.models import (
    MONEY_MEASURES,
    Case,
    MeasureKind,
    PenaltyDecision,
    PenaltyMeasure,
    Recheck,
    RecheckResult,
    Referral,
    ReferralTarget,
)
from qingyuan.inspections.models import Inspection, InspectionKind
from qingyuan.operations.models import Nomination, TargetSite
from qingyuan.regions.models import LocationType, Unit, UnitKind
from qingyuan.subjects.models import (
    UNLICENSED_KINDS,
    PersonRole,
    PracticeContent,
    Subject,
    SubjectChange,
    SubjectPerson,
)

from .base import (
    DATE,
    MONEY,
    TEXT,
    Column,
    Drill,
    FormDefinition,
    FormResult,
    Row,
    Scope,
    Table,
    grid,
    money,
)
from .s003a1 import S003A1


def unit_name(region) -> str:
    """单位 in a form's header: the supervision institute of the region, else its first unit, else the
    region itself (a region without units in the platform still gets a readable header)."""
    units = Unit.objects.filter(region=region, is_active=True)
    unit = units.filter(kind=UnitKind.SUPERVISION_INSTITUTE).order_by("pk").first()
    unit = unit or units.order_by("pk").first()
    return unit.name if unit else region.full_name


def report_date() -> str:
    today = timezone.localdate()
    return f"{today.year}年{today.month}月{today.day}日"


def yes_no(flag) -> str:
    return "是" if flag else "否"


def require_operation(scope: Scope, code: str):
    if scope.operation is None:
        raise ValueError(f"{code} 须选择联动执法行动")
    return scope.operation


# --------------------------------------------------------------------------------------------------
# S001-A1 参加集中执法行动医疗执法监督员回执


A1_COLUMNS = [
    Column("name", "姓名", kind=TEXT),
    Column("gender", "性别", kind=TEXT),
    Column("ethnicity", "民族", kind=TEXT),
    Column("unit", "单位", kind=TEXT),
    Column("phone", "手机号", kind=TEXT),
]


class S001A1(FormDefinition):
    code = "S001-A1"
    title = "参加集中执法行动医疗执法监督员回执"
    seed = "001 附件1"
    mode = "operation"

    def nominations(self, scope: Scope):
        operation = require_operation(scope, self.code)
        # The roster of a region is what its own units (and those below) nominated.
        return Nomination.objects.filter(scope.in_region("unit__region__code"), operation=operation)

    def compute(self, scope: Scope) -> FormResult:
        operation = require_operation(scope, self.code)
        rows = (
            self.nominations(scope)
            .order_by("unit__region_id", "unit__name", "id")
            .values("user__full_name", "user__gender", "user__ethnicity", "unit__name", "user__phone")
        )
        items = [
            {
                "name": r["user__full_name"],
                "gender": r["user__gender"],
                "ethnicity": r["user__ethnicity"],
                "unit": r["unit__name"],
                "phone": r["user__phone"],
            }
            for r in rows
        ]
        table = Table("roster", self.title, A1_COLUMNS, items=items)
        deadline = operation.nomination_deadline
        return FormResult(
            self.code,
            self.title,
            scope,
            [table],
            header={
                "单位": unit_name(scope.region),
                "上报日期": report_date(),
                "联动执法行动": operation.name,
            },
            notes=[
                f"{deadline.year}年{deadline.month}月{deadline.day}日前，将名单上报{operation.unit.name}。"
            ],
        )

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        raise KeyError(f"{self.code} 是名单，没有可展开的数字")


# --------------------------------------------------------------------------------------------------
# S001-A2 本辖区无证行医存在情况的梳理分析情况表

LOCAL, JOINT, TOTAL = "local", "joint", "total"
A2_ROWS = [Row(LOCAL, "本区自行查处"), Row(JOINT, "需要联合查处"), Row(TOTAL, "合计")]
LOCATION_GROUP = "无证行医（户数）"
CONTENT_GROUP = "无证行医内容（户数）"
A2_COLUMNS = [Column(f"loc_{v}", str(label), LOCATION_GROUP) for v, label in LocationType.choices] + [
    Column(f"content_{v}", str(label), CONTENT_GROUP) for v, label in PracticeContent.choices
]
A2_LIST_COLUMNS = [
    Column("no", "序号"),
    Column("person", "无证行医人", kind=TEXT),
    Column("place", "无证行医地点", kind=TEXT),
    Column("border", "是否为区县交界地区", kind=TEXT),
]


def value_at(field: str, day: dt.date):
    """A tracked field's value on `day` as text (SubjectChange): the old value of the first change
    after that day; None when it has not changed since (the current value then holds)."""
    return Subquery(
        SubjectChange.objects.filter(subject=OuterRef("pk"), field=field, changed_on__gt=day)
        .order_by("changed_on", "id")
        .values("old_value")[:1],
        output_field=CharField(),
    )


def designated_region_at(day: dt.date):
    """The region of the unit a 指定管辖 in force at the end of `day` designated for the site, or
    None (docs/forms.md: a site counts where it is answered for)."""
    from qingyuan.operations.access import designations_at

    at = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    return Subquery(
        designations_at(at)
        .filter(subject=OuterRef("pk"))
        .order_by("-starts_at", "-pk")
        .values("unit__region_id")[:1],
        output_field=CharField(),
    )


def cleared_by(day: dt.date):
    """Closed after a ban and a clean re-inspection by `day`: a clean recheck done by then on a case
    closed by then, with no re-offence found after it (a later re-offence makes the site count again:
    one found by a recheck, or a case opened on the site after the clean recheck, as when a lead or a
    patrol finds it practising again). A recheck is only owed after a ban, so its existence stands for
    the ban."""
    reoffended_after = Recheck.objects.filter(
        subject=OuterRef("subject"),
        result=RecheckResult.REOFFENDED,
        done_on__gt=OuterRef("done_on"),
        done_on__lte=day,
    )
    opened_after = Case.objects.filter(
        subject=OuterRef("subject"), opened_on__gt=OuterRef("done_on"), opened_on__lte=day
    )
    return Exists(
        Recheck.objects.filter(
            subject=OuterRef("pk"),
            result=RecheckResult.CLEAN,
            done_on__lte=day,
            case__closed_on__lte=day,
        ).filter(~Exists(reoffended_after), ~Exists(opened_after))
    )


class S001A2(FormDefinition):
    code = "S001-A2"
    title = "本辖区无证行医存在情况的梳理分析情况表"
    seed = "001 附件2"
    mode = "snapshot"

    def sites(self, scope: Scope):
        """Unlicensed sites known by the period's end and not cleared by then, in the region they were
        in on that day, with the joint-action flag of that day ("1"/"0")."""
        end = scope.end
        current_flag = Choose(When(needs_joint_action=True, then=Value("1")), default=Value("0"))
        return (
            Subject.objects.filter(kind__in=UNLICENSED_KINDS, found_on__lte=end)
            .annotate(
                # A designation in force on that day counts the site in the designated county.
                region_at=Coalesce(
                    designated_region_at(end),
                    value_at("region_id", end),
                    F("region_id"),
                    output_field=CharField(),
                ),
                joint_at=Coalesce(
                    value_at("needs_joint_action", end), current_flag, output_field=CharField()
                ),
            )
            .filter(scope.in_region("region_at"))
            .exclude(cleared_by(end))
        )

    def compute(self, scope: Scope) -> FormResult:
        cells = grid(A2_ROWS, A2_COLUMNS)
        locations = {v for v, _label in LocationType.choices}
        contents = {v for v, _label in PracticeContent.choices}
        for row in (
            self.sites(scope)
            .values("joint_at", "location_type", "practice_content")
            .annotate(n=Count("id"))
            .order_by()
        ):
            target = cells[JOINT if row["joint_at"] == "1" else LOCAL]
            # Subject.save always sets a location type; a blank one can only come from a bulk write and
            # is counted as 农村, Subject.save's own fallback, so that each column group still sums to 合计.
            location = row["location_type"] if row["location_type"] in locations else LocationType.RURAL
            content = (
                row["practice_content"] if row["practice_content"] in contents else PracticeContent.OTHER
            )
            target[f"loc_{location}"] += row["n"]
            target[f"content_{content}"] += row["n"]
        table = Table("main", self.title, A2_COLUMNS, A2_ROWS, cells, total_row=TOTAL)
        table.fill_total()

        lead_person = Subquery(
            SubjectPerson.objects.filter(
                subject=OuterRef("pk"), role__in=[PersonRole.PRACTITIONER, PersonRole.OPERATOR]
            )
            # The one who practises names the site best; the operator when no practitioner is known.
            .order_by(Choose(When(role=PersonRole.PRACTITIONER, then=Value(0)), default=Value(1)), "id")
            .values("name")[:1]
        )
        joint = (
            self.sites(scope)
            .filter(joint_at="1")
            .annotate(person=Coalesce(lead_person, Value("")))
            .order_by("region_at", "id")
            .values("person", "address", "border_area")
        )
        items = [
            {"no": n, "person": r["person"], "place": r["address"], "border": yes_no(r["border_area"])}
            for n, r in enumerate(joint, start=1)
        ]
        names = Table("joint_list", "需要市区联合查处的无证行医地点或人员名单", A2_LIST_COLUMNS, items=items)
        return FormResult(
            self.code,
            self.title,
            scope,
            [table, names],
            header={
                "单位": unit_name(scope.region),
                "上报日期": report_date(),
                "统计截至": scope.end.isoformat(),
            },
            notes=["若不知无证行医人姓名仅填写无证行医地点。"],
        )

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        if table != "main":
            raise KeyError(table)
        label = next(r.label for r in A2_ROWS if r.key == row)
        col = next(c for c in A2_COLUMNS if c.key == column)
        sites = self.sites(scope)
        if row != TOTAL:
            sites = sites.filter(joint_at="1") if row == JOINT else sites.exclude(joint_at="1")
        kind, value = column.split("_", 1)
        if kind == "loc":
            if value == LocationType.RURAL:
                sites = sites.filter(
                    Q(location_type=value) | ~Q(location_type__in=[v for v, _l in LocationType.choices])
                )
            else:
                sites = sites.filter(location_type=value)
        else:
            if value == PracticeContent.OTHER:
                known = [v for v, _l in PracticeContent.choices if v != PracticeContent.OTHER]
                sites = sites.exclude(practice_content__in=known)
            else:
                sites = sites.filter(practice_content=value)
        return Drill(
            f"{label} · {col.group} {col.label}",
            "subject",
            sites,
            note=f"截至{scope.end:%Y-%m-%d}尚未销号的无证行医场所，按当日所在区划和是否需联合查处统计",
        )


# --------------------------------------------------------------------------------------------------
# S001-A3 打击无证行医联动执法工作情况汇总表

A3_ROW = "figures"
A3_ROWS = [Row(A3_ROW, "数量")]
A3_COLUMNS = [
    Column("educated", "开展法制宣教人数"),
    Column("investigated", "查处户数"),
    Column("penalised", "处罚户数"),
    Column("rechecked", "复查户数"),
    Column("officer_trips", "出动执法人次数"),
    Column("vehicle_trips", "出动执法车辆辆次"),
    Column("media_reports", "媒体报道次数"),
]


class S001A3(FormDefinition):
    code = "S001-A3"
    title = "打击无证行医联动执法工作情况汇总表"
    seed = "001 附件3"

    # For a joint operation the figures cover the days of its periods that fall within the scope's
    # dates, and the subject-based figures only its target sites; without one, the whole period and
    # every site. Outreach and media reports concern the region, not a site, so they are never limited
    # to the target sites.
    def _windows(self, scope: Scope) -> list[Scope]:
        if scope.operation is None:
            return [scope]
        windows = []
        for period in scope.operation.periods.all():
            start, end = max(period.starts_on, scope.start), min(period.ends_on, scope.end)
            if start <= end:
                windows.append(Scope(scope.region, start, end))
        return windows

    def _on_days(self, scope: Scope, path: str) -> Q:
        windows = self._windows(scope)
        if not windows:
            return Q(pk__in=[])
        q = Q()
        for window in windows:
            q |= window.on_days(path)
        return q

    def _at_times(self, scope: Scope, path: str) -> Q:
        windows = self._windows(scope)
        if not windows:
            return Q(pk__in=[])
        q = Q()
        for window in windows:
            q |= window.at_times(path)
        return q

    def _targets(self, scope: Scope, path: str) -> Q:
        if scope.operation is None:
            return Q()
        return Q(**{f"{path}__in": TargetSite.objects.filter(operation=scope.operation).values("subject_id")})

    def outreach(self, scope: Scope):
        return OutreachEvent.objects.filter(
            scope.in_region("region__code"), self._on_days(scope, "held_on"), scope.in_campaign("campaign_id")
        )

    def opened_cases(self, scope: Scope):
        return Case.objects.filter(
            scope.in_region("region__code"),
            self._on_days(scope, "opened_on"),
            self._targets(scope, "subject_id"),
            scope.in_campaign("campaign_id"),
        )

    def decisions(self, scope: Scope):
        return PenaltyDecision.objects.filter(
            scope.in_region("case__region__code"),
            self._on_days(scope, "decided_on"),
            self._targets(scope, "case__subject_id"),
            scope.in_campaign("case__campaign_id"),
        )

    def inspections(self, scope: Scope):
        return Inspection.objects.filter(
            scope.in_region("region__code"),
            self._at_times(scope, "started_at"),
            self._targets(scope, "subject_id"),
            scope.in_campaign("campaign_id"),
        )

    def media(self, scope: Scope):
        return MediaReport.objects.filter(
            scope.in_region("region__code"),
            self._on_days(scope, "published_on"),
            scope.in_campaign("campaign_id"),
        )

    def compute(self, scope: Scope) -> FormResult:
        cells = grid(A3_ROWS, A3_COLUMNS)
        figures = cells[A3_ROW]
        figures["educated"] = self.outreach(scope).aggregate(n=Sum("people_reached"))["n"] or 0
        figures["investigated"] = self.opened_cases(scope).aggregate(n=Count("subject_id", distinct=True))[
            "n"
        ]
        figures["penalised"] = self.decisions(scope).aggregate(n=Count("case__subject_id", distinct=True))[
            "n"
        ]
        done = self.inspections(scope).aggregate(
            rechecked=Count("subject_id", distinct=True, filter=Q(kind=InspectionKind.RECHECK)),
            officer_trips=Sum("officer_count"),
            vehicle_trips=Sum("vehicles"),
        )
        figures.update({k: v or 0 for k, v in done.items()})
        figures["media_reports"] = self.media(scope).aggregate(n=Sum("count"))["n"] or 0
        table = Table("main", self.title, A3_COLUMNS, A3_ROWS, cells)
        header = {"单位": unit_name(scope.region), "上报日期": report_date()}
        notes = []
        if scope.operation is not None:
            header["联动执法行动"] = scope.operation.name
            periods = "、".join(f"{w.start:%Y-%m-%d}至{w.end:%Y-%m-%d}" for w in self._windows(scope))
            notes.append(
                f"统计行动时段：{periods or '无（行动时段不在统计期内）'}；查处、处罚、复查及出动数仅计本次行动点位"
            )
        return FormResult(self.code, self.title, scope, [table], header=header, notes=notes)

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        if table != "main" or row != A3_ROW:
            raise KeyError(row)
        title = next(c.label for c in A3_COLUMNS if c.key == column)
        if column == "educated":
            return Drill(title, "outreach", self.outreach(scope))
        if column == "investigated":
            return Drill(title, "case", self.opened_cases(scope), note="同一监管对象多次立案只计1户")
        if column == "penalised":
            return Drill(title, "decision", self.decisions(scope), note="同一监管对象多次处罚只计1户")
        if column == "rechecked":
            return Drill(
                title,
                "inspection",
                self.inspections(scope).filter(kind=InspectionKind.RECHECK),
                note="同一监管对象多次复查只计1户",
            )
        if column in ("officer_trips", "vehicle_trips"):
            return Drill(title, "inspection", self.inspections(scope))
        if column == "media_reports":
            return Drill(title, "media", self.media(scope))
        raise KeyError(column)


# --------------------------------------------------------------------------------------------------
# S001-A4 联动执法查处个案情况表

A4_COLUMNS = [
    Column("no", "序号"),
    Column("party", "当事人", kind=TEXT),
    Column("address", "地址", kind=TEXT),
    Column("location_type", "区域类型", kind=TEXT),
    Column("practice_content", "行医内容", kind=TEXT),
    Column("opened_on", "立案日期", kind=DATE),
    Column("measures", "处罚种类", kind=TEXT),
    Column("amount", "罚没金额（元）", kind=MONEY),
    Column("banned", "是否取缔", kind=TEXT),
    Column("referred", "是否移送公安", kind=TEXT),
    Column("recheck", "复查情况", kind=TEXT),
]
MEASURE_ORDER = {value: n for n, (value, _label) in enumerate(MeasureKind.choices)}


class S001A4(FormDefinition):
    code = "S001-A4"
    title = "联动执法查处个案情况表"
    seed = "001 附件4"

    def cases(self, scope: Scope):
        # The cases opened in the period: the same set as S003-A1's 信息系统录入情况 counts.
        return S003A1().opened_cases(scope)

    def compute(self, scope: Scope) -> FormResult:
        # What had become of each case by the period's end: a report computed again later shows the
        # same lines as the one sent (a decision, referral or recheck after the end is not shown).
        end = scope.end
        _lo, end_bound = scope.bounds()
        amount = Subquery(
            PenaltyMeasure.objects.filter(
                decision__case=OuterRef("pk"), decision__decided_on__lte=end, kind__in=MONEY_MEASURES
            )
            .values("decision__case")
            .annotate(total=Sum("amount"))
            .values("total"),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        )
        banned = Exists(
            PenaltyMeasure.objects.filter(
                decision__case=OuterRef("pk"), decision__decided_on__lte=end, kind=MeasureKind.BAN
            )
        )
        referred = Exists(
            Referral.objects.filter(
                case=OuterRef("pk"), target=ReferralTarget.POLICE, transferred_at__lt=end_bound
            )
        )
        latest_recheck = Subquery(
            Recheck.objects.filter(case=OuterRef("pk"), done_on__lte=end)
            .exclude(result=RecheckResult.PENDING)
            .order_by("-done_on", "-id")
            .values("result")[:1]
        )
        cases = (
            self.cases(scope)
            .select_related("subject", "decision")
            .prefetch_related("decision__measures")
            .annotate(
                has_decision=Exists(PenaltyDecision.objects.filter(case=OuterRef("pk"), decided_on__lte=end)),
                money_total=amount,
                banned=banned,
                referred=referred,
                recheck_result=latest_recheck,
            )
            .order_by("opened_on", "id")
        )
        locations = dict(LocationType.choices)
        contents = dict(PracticeContent.choices)
        results = dict(RecheckResult.choices)
        items = []
        for n, case in enumerate(cases, start=1):
            measures = []
            if case.has_decision:
                measures = sorted(case.decision.measures.all(), key=lambda m: MEASURE_ORDER.get(m.kind, 99))
            items.append(
                {
                    "no": n,
                    "party": case.party_name,
                    "address": case.subject.address,
                    "location_type": str(locations.get(case.subject.location_type, "")),
                    "practice_content": str(contents.get(case.subject.practice_content, "")),
                    "opened_on": case.opened_on,
                    "measures": "、".join(m.get_kind_display() for m in measures),
                    "amount": money(case.money_total),
                    "banned": yes_no(case.banned),
                    "referred": yes_no(case.referred),
                    "recheck": str(results[case.recheck_result]) if case.recheck_result else "未复查",
                }
            )
        table = Table("cases", self.title, A4_COLUMNS, items=items)
        return FormResult(
            self.code,
            self.title,
            scope,
            [table],
            header={"单位": unit_name(scope.region), "上报日期": report_date()},
            notes=[f"处罚、移送、复查情况截至{end:%Y-%m-%d}"],
        )

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        raise KeyError(f"{self.code} 是个案清单，没有可展开的数字")
