"""「我的工作」: what a user has to do now, by deadline, for the home page.

Each source below reads one app's records through its own scoping (visible_to), limited to the
user's unit or to the user, in one query (two for cases: their live overdue set), so the page costs a
bounded number of queries whatever the data. Deadlines are the ones the apps store; whether a record
is overdue is computed now from them, with the working-day calendar (core.workdays). Core imports the
apps here only inside functions: it stays importable without them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .workdays import STATUS_NEAR, STATUS_OVERDUE, DueBadge, due_badge

# A section shows at most this many items; the rest are one click away in the app's own list.
SECTION_LIMIT = 30


@dataclass
class Item:
    kind: str  # 线索, 案件, 复查 …
    text: str
    url: str = ""
    due: dt.date | None = None
    due_label: str = ""  # 办案期限, 受理期限 …
    badge: DueBadge | None = None
    note: str = ""  # a second muted line


@dataclass
class WorkList:
    overdue: list[Item] = field(default_factory=list)
    near: list[Item] = field(default_factory=list)
    today: list[Item] = field(default_factory=list)
    more: dict[str, int] = field(default_factory=dict)  # section -> items left off

    @property
    def sections(self):
        return [
            (key, heading, getattr(self, key), empty, self.more.get(key, 0))
            for key, heading, empty in (
                ("overdue", "已超期", "没有超期事项"),
                ("near", "两个工作日内到期", "两个工作日内没有到期事项"),
                ("today", "今日", "今日没有其他待办事项"),
            )
        ]


def _short(text: str, n: int = 24) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _dated(kind, text, url, due, label, today, *, overdue=None, note="") -> Item:
    badge = due_badge(due, today) if due else None
    if badge is not None and overdue is False and badge.status == STATUS_OVERDUE:
        # The app's own rule says the clock is not running (a pause, a fine paid): no red badge.
        badge = None
    return Item(kind=kind, text=text, url=url, due=due, due_label=label, badge=badge, note=note)


# --- sources ---------------------------------------------------------------------------------------


def _leads(user, today) -> list[Item]:
    from qingyuan.leads.models import Lead, Status

    if not user.can("leads.view"):
        return []
    unit = Q(handling_unit_id=user.unit_id)
    wanted = Q(officers=user, status__in=[Status.ASSIGNED, Status.VERIFYING])
    if user.can("leads.accept") or user.can("leads.register"):
        wanted |= unit & Q(status=Status.REGISTERED)
    if user.can("leads.assign"):
        wanted |= unit & Q(status=Status.ACCEPTED)
    if user.can("leads.answer"):
        wanted |= unit & Q(status=Status.CONCLUDED, is_anonymous=False, answered_at__isnull=True)
    mine = Lead.objects.filter(officers=user, pk=OuterRef("pk"))
    rows = (
        Lead.objects.visible_to(user)
        .filter(pk__in=Lead.objects.filter(wanted).values("pk"))
        .annotate(is_mine=Exists(mine))
        .only("pk", "number", "status", "content", "place", "accept_due", "conclude_due", "feedback_due")
        .order_by("pk")
    )
    items = []
    for lead in rows:
        if lead.status == Status.REGISTERED:
            action, label, due = "待受理", "受理期限", lead.accept_due
        elif lead.status == Status.ACCEPTED:
            action, label, due = "待分派", "办结期限", lead.conclude_due
        elif lead.status == Status.CONCLUDED:
            action, label, due = "待答复举报人", "反馈期限", lead.feedback_due
        else:
            action = "已分派给您核查" if lead.is_mine else lead.get_status_display()
            label, due = "办结期限", lead.conclude_due
        text = f"线索 {lead.number} {action}：{_short(lead.place or lead.content)}"
        items.append(_dated("线索", text, lead.get_absolute_url(), due, label, today))
    return items


def _cases(user, today) -> list[Item]:
    from qingyuan.cases.models import DECIDING, PAYING, Case, CaseStatus

    if not user.can("cases.view"):
        return []
    scope = Q(officers=user)
    if user.can("cases.approve"):
        scope |= Q(unit_id=user.unit_id)
    open_states = [CaseStatus.PROPOSED, *DECIDING, *PAYING, CaseStatus.DEMANDED]
    cases = Case.objects.visible_to(user).filter(
        pk__in=Case.objects.filter(scope, status__in=open_states).values("pk")
    )
    late = set(cases.overdue(today).values_list("pk", flat=True))
    items = []
    for case in cases.select_related("decision").order_by("pk"):
        name = f" {case.number}" if case.number else ""
        if case.status == CaseStatus.PROPOSED:
            label, due = "立案期限", case.open_due
            what = "待立案审批"
        elif case.status in DECIDING:
            label, due, what = "办案期限", case.decide_due, case.get_status_display()
        elif case.status == CaseStatus.DEMANDED:
            # After 催告 the clock is the demand's days, then the last day to apply to the court
            # (few cases: their own clock, cases.deadlines.current_due).
            from qingyuan.cases.deadlines import current_due

            clock = current_due(case, today)
            label, due = clock if clock else ("", None)
            what = "已催告" if clock else "待送达催告书或结案"
        else:
            decision = getattr(case, "decision", None)
            label, due, what = "缴款期限", decision.payment_due if decision else None, "待缴款"
            if due and due < today and case.pk not in late:
                continue  # paid in full: the payment clock no longer runs
        text = f"案件{name} {what}：{_short(case.party_name, 12)} {_short(case.title, 20)}"
        items.append(
            _dated("案件", text, case.get_absolute_url(), due, label, today, overdue=case.pk in late)
        )
    return items


def _rechecks(user, today) -> list[Item]:
    from qingyuan.cases.models import Recheck, RecheckKind, RecheckResult

    if not user.can("cases.view"):
        return []
    scope = Q(case__officers=user) | Q(lookback__unit_id=user.unit_id)
    if user.can("cases.approve"):
        scope |= Q(case__unit_id=user.unit_id)
    rows = (
        Recheck.objects.visible_to(user)
        .filter(pk__in=Recheck.objects.filter(scope, result=RecheckResult.PENDING).values("pk"))
        .select_related("subject", "case")
        .order_by("due_on", "pk")
    )
    items = []
    for r in rows[: SECTION_LIMIT * 2]:
        if r.kind == RecheckKind.LOOKBACK and r.lookback_id:
            url = reverse("cases:lookback_detail", args=[r.lookback_id])
        else:
            url = r.case.get_absolute_url() + "#followup"
        text = f"{r.get_kind_display()}：{r.subject.name}（{_short(r.subject.address, 20)}）"
        items.append(_dated(r.get_kind_display(), text, url, r.due_on, "应检查日期", today))
    return items


def _referrals(user, today) -> list[Item]:
    from qingyuan.cases.models import Referral, ReferralStatus
    from qingyuan.cases.referral_workflow import ACTIVE

    pending = Referral.objects.visible_to(user).filter(status__in=ACTIVE)
    if user.can("cases.view"):
        scope = Q(case__officers=user)
        if user.can("cases.approve"):
            scope |= Q(case__unit_id=user.unit_id)
        rows, link = pending.filter(pk__in=Referral.objects.filter(scope).values("pk")), True
    elif user.can("liaison.receive"):
        # A department's liaison sees what was addressed to their own unit (not to every unit of its
        # kind in the region), and answers it on the liaison page.
        return _addressed_referrals(user)
    else:
        return []
    items = []
    for ref in rows.select_related("case").order_by("pk")[:SECTION_LIMIT]:
        if ref.status in (ReferralStatus.TRANSFERRED, ReferralStatus.RECEIVED):
            state = f"已于{timezone.localtime(ref.transferred_at):%Y-%m-%d}移送，待{ref.target_unit}接收"
        elif ref.status == ReferralStatus.APPROVED:
            state = "已批准，待移送"
        else:
            state = "待负责人批准移送"
        case = ref.case.number or ref.case.title
        text = f"案件移送（{ref.get_target_display()}）：{_short(case, 30)}"
        url = ref.case.get_absolute_url() + "#followup" if link else ""
        items.append(Item(kind="移送", text=text, url=url, note=state))
    return items


def _addressed_referrals(user) -> list[Item]:
    from qingyuan.cases.models import Referral, ReferralStatus

    wanted = Q(
        status__in=[ReferralStatus.TRANSFERRED, ReferralStatus.RECEIVED, ReferralStatus.REVIEW_REQUESTED]
    )
    wanted |= Q(status=ReferralStatus.ACCEPTED, investigation_result="")
    rows = (
        Referral.objects.filter(wanted, receiving_unit_id=user.unit_id)
        .select_related("case__unit")
        .order_by("transferred_at", "pk")
    )
    todo = {
        ReferralStatus.TRANSFERRED: "待接收",
        ReferralStatus.RECEIVED: "待决定是否受理/立案",
        ReferralStatus.ACCEPTED: "已受理，待登记办理结果",
        ReferralStatus.REVIEW_REQUESTED: "卫生健康部门提请复议，待登记复议结果",
    }
    items = []
    for ref in rows[:SECTION_LIMIT]:
        text = f"案件移送（{ref.case.unit.name}）：{_short(ref.case.title, 30)}"
        sent = f"{timezone.localtime(ref.transferred_at):%Y-%m-%d}移送" if ref.transferred_at else ""
        url = reverse("liaison:referral", args=[ref.pk])
        items.append(Item(kind="移送", text=text, url=url, note=f"{sent}，{todo[ref.status]}"))
    return items


def _duties(user, today) -> list[Item]:
    from qingyuan.campaigns.models import Campaign, Duty

    if not user.unit_id or not (user.can("campaigns.view") or user.can("campaigns.duty")):
        return []
    rows = (
        Duty.objects.filter(unit_id=user.unit_id, completed_on__isnull=True)
        .filter(campaign__in=Campaign.objects.visible_to(user))
        .select_related("campaign")
        .order_by("due_on", "pk")
    )
    return [
        _dated(
            "专项行动",
            f"专项行动任务：{_short(d.task, 30)}（{_short(d.campaign.name, 20)}）",
            d.campaign.get_absolute_url(),
            d.due_on,
            "完成期限",
            today,
        )
        for d in rows[: SECTION_LIMIT * 2]
    ]


def _submissions(user, today) -> list[Item]:
    from qingyuan.reports.models import Submission, SubmissionStatus

    region = user.region
    if region is None or not user.can("reports.view"):
        return []
    scope = Q(pk__in=[])
    if user.can("reports.review") and region.pk:
        scope |= Q(status=SubmissionStatus.SUBMITTED, region__parent_id=region.pk)
    if user.can("reports.submit"):
        newer = Submission.objects.filter(
            form_code=OuterRef("form_code"),
            region_id=OuterRef("region_id"),
            period_start=OuterRef("period_start"),
            period_end=OuterRef("period_end"),
            version__gt=OuterRef("version"),
        )
        scope |= Q(status=SubmissionStatus.RETURNED, region_id=region.pk) & ~Exists(newer)
    rows = Submission.objects.visible_to(user).filter(scope).select_related("region").order_by("pk")
    items = []
    for s in rows[:SECTION_LIMIT]:
        period = f"{s.period_start:%Y-%m-%d}至{s.period_end:%Y-%m-%d}"
        if s.status == SubmissionStatus.RETURNED:
            text = f"报表 {s.form_code} 被退回，请修改后重新上报（{period}）"
            note = f"退回理由：{_short(s.return_reason, 60)}"
        else:
            text = f"报表 {s.form_code} 待审核：{s.region.full_name}（{period}，第{s.version}版）"
            note = ""
        item = _dated("报表", text, s.get_absolute_url(), s.due_on, "报送期限", today, note=note)
        if s.status == SubmissionStatus.SUBMITTED and item.badge is not None:
            item.badge = None  # the deadline was the lower unit's, and it has met it
        items.append(item)
    return items


def _grants(user, today) -> list[Item]:
    from qingyuan.operations.models import AccessGrant

    if not user.unit_id:
        return []
    now = timezone.now()
    rows = (
        AccessGrant.objects.active_at(now)
        .filter(Q(user=user) | Q(unit_id=user.unit_id))
        .select_related("subject__region")
        .order_by("ends_at", "pk")
    )
    items = []
    for g in rows[:SECTION_LIMIT]:
        ends = timezone.localtime(g.ends_at).date() if g.ends_at else None
        text = f"跨区授权（{g.get_reason_display()}）：{g.subject.name}（{g.subject.region.full_name}）"
        note = f"有效期至{ends:%Y-%m-%d}" if ends else "有效至撤销"
        items.append(Item(kind="跨区授权", text=text, url=g.subject.get_absolute_url(), note=note))
    return items


def _owed_forms(user, today) -> list[Item]:
    """Forms the user's unit still owes, from the same calculation as the scheduled reminder
    (reports.reminders), so the home page and the reminder never disagree about what is due."""
    from qingyuan.core import workdays
    from qingyuan.reports.reminders import _form_name, owed_forms, remind_working_days

    region = user.region
    if region is None or not user.can("reports.submit"):
        return []
    horizon = workdays.add_working_days(today, remind_working_days())
    items = []
    for owed in owed_forms(today, horizon):
        if owed.region.pk != region.pk or owed.submitted():
            continue
        text = f"上报{_form_name(owed.code)}"
        if owed.operation is not None:
            text += f"（联动执法行动：{owed.operation.name}）"
        items.append(_dated("报表", text, owed.url(), owed.due_on, "报送期限", today))
    return items


def _spotchecks(user, today) -> list[Item]:
    """Spot checks: a drawn inspector's items to record (permission follows the draw, whatever the
    role), and for the planning unit the checks to end and to publish (双随机、一公开)."""
    from qingyuan.operations.models import SpotCheckPlan, SpotCheckStatus

    scope = Q(inspectors=user, status=SpotCheckStatus.DRAWN)
    if user.can("spotchecks.manage"):
        scope |= Q(unit_id=user.unit_id, status__in=[SpotCheckStatus.DRAWN, SpotCheckStatus.COMPLETED])
    open_items = Count("items", filter=Q(items__recorded_at__isnull=True), distinct=True)
    drawn = SpotCheckPlan.inspectors.through.objects.filter(spotcheckplan_id=OuterRef("pk"), user_id=user.pk)
    rows = (
        SpotCheckPlan.objects.visible_to(user)
        .filter(pk__in=SpotCheckPlan.objects.filter(scope).values("pk"))
        .annotate(left=open_items, drawn=Exists(drawn))
        .order_by("pk")
    )
    items = []
    for plan in rows[:SECTION_LIMIT]:
        if plan.status == SpotCheckStatus.COMPLETED:
            what = "已结束，待公开"
        elif plan.drawn and plan.left:
            what = f"您被抽中为督查人员，待记录{plan.left}个对象的检查结果"
        elif not plan.left and plan.unit_id == user.unit_id and user.can("spotchecks.manage"):
            what = "结果已全部记录，待结束检查"
        else:
            continue  # the drawn are still recording: nothing for the planning unit to do yet
        text = f"督查抽查“{_short(plan.name, 30)}”：{what}"
        items.append(Item(kind="督查抽查", text=text, url=plan.get_absolute_url()))
    return items


def _oversight(user, today) -> list[Item]:
    """挂牌督办 and 督导整改: the lower unit's reports due, the upper level's results to accept."""
    from qingyuan.oversight.selectors import work_items

    items = []
    for row in work_items(user, today):
        item = _dated(row.kind, row.text, row.url, row.due, row.label, today, note=row.note)
        if row.met:
            item.badge = None  # the lower unit has reported: the deadline is no longer its to miss
        items.append(item)
    return items


def _publication(user, today) -> list[Item]:
    """处罚决定公示 (行政处罚法 第48条): decisions to publish, and revoked ones to withdraw."""
    from qingyuan.publication.selectors import work_items

    return [_dated(r.kind, r.text, r.url, r.due, r.label, today) for r in work_items(user, today)]


SOURCES = [
    _leads,
    _cases,
    _rechecks,
    _referrals,
    _duties,
    _owed_forms,
    _submissions,
    _grants,
    _spotchecks,
    _oversight,
    _publication,
]


def work_list(user, today: dt.date | None = None) -> WorkList:
    """The user's open items, sorted into 已超期 / 两个工作日内到期 / 今日 (the rest, soonest first)."""
    today = today or timezone.localdate()
    result = WorkList()
    if not user.unit_id:
        return result
    items = [item for source in SOURCES for item in source(user, today)]
    items.sort(key=lambda i: (i.due or dt.date.max, i.kind, i.text))
    for item in items:
        status = item.badge.status if item.badge else None
        if status == STATUS_OVERDUE:
            result.overdue.append(item)
        elif status == STATUS_NEAR:
            result.near.append(item)
        else:
            result.today.append(item)
    for name in ("overdue", "near", "today"):
        section = getattr(result, name)
        if len(section) > SECTION_LIMIT:
            result.more[name] = len(section) - SECTION_LIMIT
            del section[SECTION_LIMIT:]
    return result
