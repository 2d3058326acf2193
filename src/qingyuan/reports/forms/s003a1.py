"""S003-A1 打击无证行医及非法医疗美容专项行动情况汇总表 (seed 003 附件1; FORMS.md).

Rows by the subject's institution type, 合计 the sum of the rows. Seven aggregate queries, one per
source of records, each grouped by institution type; `bench/bench_reports.py` times them against
one hand-written SQL statement computing the same table.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from qingyuan.cases.models import (
    AccountablePerson,
    Case,
    Judgment,
    LiabilityKind,
    MeasureKind,
    PenaltyDecision,
    PenaltyMeasure,
    Referral,
    ReferralTarget,
)
from qingyuan.inspections.models import Inspection
from qingyuan.subjects.models import InstitutionType

from .base import (
    MONEY,
    RATIO,
    Column,
    Drill,
    FormDefinition,
    FormResult,
    Ratio,
    Row,
    Scope,
    Table,
    grid,
    money,
)

TOTAL = "total"
ROWS = [Row(value, str(label)) for value, label in InstitutionType.choices] + [Row(TOTAL, "合计")]

PENALTY = "行政处罚情况"
OTHER = "其他情况"
COLUMNS = [
    Column("inspections", "监督户次数"),
    Column("penalised_units", "行政处罚单位数"),
    Column("confiscation_count", "没收违法所得户次", PENALTY),
    Column("confiscation_amount", "没收违法所得金额（万元）", PENALTY, MONEY),
    Column("fine_count", "罚款户次", PENALTY),
    Column("fine_amount", "罚款金额（万元）", PENALTY, MONEY),
    Column("ban_count", "取缔户次", PENALTY),
    Column("referred_cases", "移送案件数", OTHER),
    Column("judged_cases", "法院判决案件数", OTHER),
    Column("liable_persons", "因无证行医追责人数", OTHER),
    Column("system_entry", "信息系统录入情况", OTHER, RATIO),
]

# Measures counted in 户次 and summed in 金额: column key prefix -> measure kind.
MEASURE_COLUMNS = {
    "confiscation": MeasureKind.CONFISCATE_INCOME,
    "fine": MeasureKind.FINE,
    "ban": MeasureKind.BAN,
}


class S003A1(FormDefinition):
    code = "S003-A1"
    title = "打击无证行医及非法医疗美容专项行动情况汇总表"
    seed = "003 附件1"

    # The querysets below are both the figures' sources and the drill-down lists.
    def inspections(self, scope: Scope):
        return Inspection.objects.filter(
            scope.in_region("region__code"), scope.at_times("started_at"), scope.in_campaign("campaign_id")
        )

    def decisions(self, scope: Scope):
        return PenaltyDecision.objects.filter(
            scope.in_region("case__region__code"),
            scope.on_days("decided_on"),
            scope.in_campaign("case__campaign_id"),
        )

    def measures(self, scope: Scope):
        return PenaltyMeasure.objects.filter(
            scope.in_region("decision__case__region__code"),
            scope.on_days("decision__decided_on"),
            scope.in_campaign("decision__case__campaign_id"),
            kind__in=MEASURE_COLUMNS.values(),
        )

    def referrals(self, scope: Scope):
        # 移送案件数: cases referred to the police as suspected crimes, by the date they were handed over.
        return Referral.objects.filter(
            scope.in_region("case__region__code"),
            scope.at_times("transferred_at"),
            scope.in_campaign("case__campaign_id"),
            target=ReferralTarget.POLICE,
        )

    def judgments(self, scope: Scope):
        return Judgment.objects.filter(
            scope.in_region("case__region__code"),
            scope.on_days("judged_on"),
            scope.in_campaign("case__campaign_id"),
        )

    def liable(self, scope: Scope):
        return AccountablePerson.objects.filter(
            scope.in_region("case__region__code"),
            scope.on_days("judgment__judged_on"),
            scope.in_campaign("case__campaign_id"),
            liability=LiabilityKind.CRIMINAL,
        )

    def opened_cases(self, scope: Scope):
        return Case.objects.filter(
            scope.in_region("region__code"), scope.on_days("opened_on"), scope.in_campaign("campaign_id")
        )

    def compute(self, scope: Scope) -> FormResult:
        cells = grid(ROWS, COLUMNS)

        def put(queryset, type_path, **aggregates):
            for row in queryset.values(type_path).annotate(**aggregates).order_by():
                target = cells[row[type_path]]
                for name in aggregates:
                    target[name] = row[name]

        put(self.inspections(scope), "subject__institution_type", inspections=Count("id"))
        put(
            self.decisions(scope),
            "case__subject__institution_type",
            penalised_units=Count("case__subject_id", distinct=True),
        )
        for row in (
            self.measures(scope)
            .values("decision__case__subject__institution_type", "kind")
            .annotate(n=Count("id"), amount=Sum("amount"))
            .order_by()
        ):
            target = cells[row["decision__case__subject__institution_type"]]
            prefix = next(p for p, kind in MEASURE_COLUMNS.items() if kind == row["kind"])
            target[f"{prefix}_count"] = row["n"]
            if f"{prefix}_amount" in target:
                target[f"{prefix}_amount"] = money(row["amount"])
        put(
            self.referrals(scope),
            "case__subject__institution_type",
            referred_cases=Count("case_id", distinct=True),
        )
        put(
            self.judgments(scope),
            "case__subject__institution_type",
            judged_cases=Count("case_id", distinct=True),
        )
        put(self.liable(scope), "case__subject__institution_type", liable_persons=Count("id"))
        for row in (
            self.opened_cases(scope)
            .values("subject__institution_type")
            .annotate(total=Count("id"), entered=Count("id", filter=Q(national_entry_on__isnull=False)))
            .order_by()
        ):
            cells[row["subject__institution_type"]]["system_entry"] = Ratio(row["entered"], row["total"])

        table = Table("main", self.title, COLUMNS, ROWS, cells, total_row=TOTAL, corner="机构类型")
        table.fill_total()
        return FormResult(
            self.code,
            self.title,
            scope,
            [table],
            header={"县（区）": scope.region.full_name, "单位（盖章）": ""},
        )

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        by_type = Q() if row == TOTAL else None
        label = next(r.label for r in ROWS if r.key == row)
        col = next(c for c in COLUMNS if c.key == column)
        title = f"{label} · {col.label}"

        def typed(path):
            return by_type if by_type is not None else Q(**{path: row})

        if column == "inspections":
            return Drill(
                title, "inspection", self.inspections(scope).filter(typed("subject__institution_type"))
            )
        if column == "penalised_units":
            return Drill(
                title,
                "decision",
                self.decisions(scope).filter(typed("case__subject__institution_type")),
                note="同一监管对象多次处罚只计1个单位",
            )
        prefix = column.rsplit("_", 1)[0]
        if prefix in MEASURE_COLUMNS:
            return Drill(
                title,
                "decision",
                self.decisions(scope).filter(
                    typed("case__subject__institution_type"), measures__kind=MEASURE_COLUMNS[prefix]
                ),
            )
        if column == "referred_cases":
            return Drill(
                title, "referral", self.referrals(scope).filter(typed("case__subject__institution_type"))
            )
        if column == "judged_cases":
            return Drill(
                title, "judgment", self.judgments(scope).filter(typed("case__subject__institution_type"))
            )
        if column == "liable_persons":
            return Drill(title, "person", self.liable(scope).filter(typed("case__subject__institution_type")))
        if column == "system_entry":
            return Drill(
                title,
                "case",
                self.opened_cases(scope).filter(typed("subject__institution_type")),
                note="本期立案的案件；已录入全国信息系统的显示录入日期",
            )
        raise KeyError(column)
