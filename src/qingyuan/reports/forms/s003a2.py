"""S003-A2 无证场所“回头看”排查情况信息汇总表 (seed 003 附件2; FORMS.md).

One row of figures and the list 具体信息. 再次开展无证行医户数 counts the sites a 回头看 in the period
found practising again. The penalty and referral figures count the decisions and police referrals
dated in the period on the cases opened from any 回头看 finding, whenever it was made: a site found in
the last week of a quarter is usually penalised in the next one, and counting each decision in the
period of its own date (FORMS.md: "an event belongs to the period by its own date") makes the
figures of consecutive periods add up to those of the whole campaign, none lost between two of them.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from qingyuan.cases.models import (
    MeasureKind,
    PenaltyDecision,
    Recheck,
    RecheckKind,
    RecheckResult,
    Referral,
    ReferralTarget,
)
from qingyuan.subjects.models import Subject

from .base import MONEY, TEXT, Column, Drill, FormDefinition, FormResult, Row, Scope, Table, grid, money

ROW = "figures"
ROWS = [Row(ROW, "数量")]
COLUMNS = [
    Column("reoffended_sites", "“回头看”中发现再次开展无证行医户数"),
    Column("decisions", "行政处罚户（人）次"),
    Column("warnings", "警告数"),
    Column("fine_amount", "罚款金额（万元）", kind=MONEY),
    Column("confiscation_amount", "没收违法所得（万元）", kind=MONEY),
    Column("referred_persons", "移送司法机关数（人）"),
]
DETAIL_COLUMNS = [
    Column("party", "被处罚对象", kind=TEXT),
    Column("address", "地址", kind=TEXT),
    Column("title", "案由", kind=TEXT),
]


class S003A2(FormDefinition):
    code = "S003-A2"
    title = "无证场所“回头看”排查情况信息汇总表"
    seed = "003 附件2"

    def findings(self, scope: Scope):
        """回头看 in the period that found the site practising again, in the region answerable for the
        site on the day of the 回头看 (Recheck.region; 指定管辖 moves it, docs/forms.md)."""
        campaign = Q()
        if scope.campaign is not None:
            # A 回头看 belongs to the campaign through the inspection that made it or the new case.
            campaign = scope.in_campaign("inspection__campaign_id") | scope.in_campaign(
                "new_case__campaign_id"
            )
        return Recheck.objects.filter(
            scope.in_region("region__code"),
            scope.on_days("done_on"),
            campaign,
            kind=RecheckKind.LOOKBACK,
            result=RecheckResult.REOFFENDED,
        )

    @staticmethod
    def lookback_cases():
        """Cases opened from a 回头看 finding, at any date (see the module's docstring)."""
        return Recheck.objects.filter(
            kind=RecheckKind.LOOKBACK, result=RecheckResult.REOFFENDED, new_case__isnull=False
        ).values("new_case_id")

    def decisions(self, scope: Scope):
        return PenaltyDecision.objects.filter(
            scope.in_region("case__region__code"),
            scope.on_days("decided_on"),
            scope.in_campaign("case__campaign_id"),
            case_id__in=self.lookback_cases(),
        )

    def referrals(self, scope: Scope):
        return Referral.objects.filter(
            scope.in_region("case__region__code"),
            scope.at_times("transferred_at"),
            scope.in_campaign("case__campaign_id"),
            case_id__in=self.lookback_cases(),
            target=ReferralTarget.POLICE,
        )

    def compute(self, scope: Scope) -> FormResult:
        cells = grid(ROWS, COLUMNS)
        figures = cells[ROW]
        figures["reoffended_sites"] = self.findings(scope).aggregate(n=Count("subject_id", distinct=True))[
            "n"
        ]
        # One row per decision and measure: a decision holds each measure kind at most once
        # (measure_kind_once), so the sums below add each amount once.
        done = self.decisions(scope).aggregate(
            decisions=Count("id", distinct=True),
            warnings=Count("id", distinct=True, filter=Q(measures__kind=MeasureKind.WARNING)),
            fine_amount=Sum("measures__amount", filter=Q(measures__kind=MeasureKind.FINE)),
            confiscation_amount=Sum(
                "measures__amount", filter=Q(measures__kind=MeasureKind.CONFISCATE_INCOME)
            ),
        )
        figures.update(
            decisions=done["decisions"],
            warnings=done["warnings"],
            fine_amount=money(done["fine_amount"]),
            confiscation_amount=money(done["confiscation_amount"]),
        )
        # 人: one per party referred; the same party in two referred cases is one person (known by the
        # ID number's blind index, else by name).
        figures["referred_persons"] = self.referrals(scope).aggregate(
            n=Count(Coalesce(NullIf("case__party_id_index", Value("")), "case__party_name"), distinct=True)
        )["n"]
        table = Table("main", self.title, COLUMNS, ROWS, cells)
        details = Table("details", "具体信息", DETAIL_COLUMNS, items=self.details(scope))
        return FormResult(
            self.code,
            self.title,
            scope,
            [table, details],
            header={"县（区）": scope.region.full_name, "单位（盖章）": ""},
        )

    def details(self, scope: Scope) -> list[dict]:
        """One line per subject penalised in the period on a 回头看 case, with the party and the cause of
        its latest such decision."""
        decisions = self.decisions(scope)
        latest = decisions.filter(case__subject=OuterRef("pk")).order_by("-decided_on", "-id")
        subjects = (
            Subject.objects.filter(Exists(decisions.filter(case__subject=OuterRef("pk"))))
            .annotate(
                party=Subquery(latest.values("case__party_name")[:1]),
                cause=Subquery(latest.values("case__title")[:1]),
            )
            .order_by("region_id", "id")
            .values("party", "address", "cause")
        )
        return [{"party": s["party"], "address": s["address"], "title": s["cause"]} for s in subjects]

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        if table != "main" or row != ROW:
            raise KeyError(row)
        title = next(c.label for c in COLUMNS if c.key == column)
        if column == "reoffended_sites":
            return Drill(title, "recheck", self.findings(scope), note="同一场所多次发现只计1户")
        if column == "decisions":
            return Drill(title, "decision", self.decisions(scope))
        measure = {
            "warnings": MeasureKind.WARNING,
            "fine_amount": MeasureKind.FINE,
            "confiscation_amount": MeasureKind.CONFISCATE_INCOME,
        }.get(column)
        if measure:
            return Drill(title, "decision", self.decisions(scope).filter(measures__kind=measure))
        if column == "referred_persons":
            return Drill(title, "referral", self.referrals(scope), note="同一当事人多次移送只计1人")
        raise KeyError(column)
