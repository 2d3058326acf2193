"""The crime criteria of 刑法 第336条 (非法行医罪) as the 2016 judicial interpretation states them.

A case is flagged "涉嫌非法行医罪，应移送公安机关" when the party meets 解释 第1条 (is "未取得医生执业
资格的人") and any 第2条 condition holds. 第2条(4), two earlier administrative penalties for illegal
practice, is never typed by the officer: it is counted from the penalty history in every region
(history.py), because the earlier penalties are often in another county or city — or in another
province, whose platform sends them (qingyuan.exchange; matched by ID number only). Who counts as the
same party (ID number, or a name an officer confirmed) is crime_matches.py's rule; the number of
penalties is rules data (CRIME_PRIOR_PENALTIES).

Since 2016 a qualified physician who merely runs a clinic without a licence is not in 第1条, so an
unlicensed clinic alone never flags a case.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qingyuan.core import audit, concurrency
from qingyuan.core.notifications import notify

from . import crime_matches, history
from .models import Case, CaseEvent, ReferralTarget

ARTICLE1_FIELDS = (
    "no_qualification",
    "certificate_revoked",
    "village_without_certificate",
    "birth_attendant_beyond",
)
ARTICLE2_FLAGS = ("harm_disability", "infectious_disease", "bad_drugs", "serious_harm", "patient_death")

BLOCKED_PREFIX = "涉嫌非法行医罪，应移送公安机关"
NEEDS_REVIEW = "须人工核实"


@dataclass
class Assessment:
    suspected: bool
    article1: list[str] = field(default_factory=list)
    article2: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    prior_penalties: int = 0  # counted: same ID number, or a name match an officer confirmed
    matched_by: str | None = None  # "id", "name" or None: what identifies the party
    matches: list = field(default_factory=list)  # crime_matches.Match, every one found
    pending: int = 0  # name matches nobody has confirmed or rejected yet
    external: object = None  # exchange.selectors.ExternalMatches: other platforms' records
    # The flag rests on name matches not yet confirmed: "涉嫌非法行医罪（须人工核实）".
    needs_review: bool = False


def _label(name: str) -> str:
    return str(Case._meta.get_field(name).verbose_name)


def required_priors(case) -> int:
    """解释 第2条(4): "曾因非法行医被卫生行政部门行政处罚两次以后" — the number is rules data, in
    force on the offence date."""
    from qingyuan.rules.models import Threshold
    from qingyuan.rules.selectors import threshold

    try:
        return int(threshold("CRIME_PRIOR_PENALTIES", case.offence_date))
    except Threshold.DoesNotExist:
        # An act before the first recorded version (the 2008 解释 第2条(5) set the same two
        # penalties): the earliest version stands for it, so an old ledger case is still judged.
        first = Threshold.objects.filter(code="CRIME_PRIOR_PENALTIES").order_by("effective_from").first()
        if first is None:
            raise
        return int(threshold("CRIME_PRIOR_PENALTIES", first.effective_from))


def prior_penalties(case) -> list[Case]:
    """Earlier penalties for illegal practice that count for this case's party, in every region,
    decided before the offence date; the case itself never counts."""
    return [m.earlier for m in crime_matches.matches(case) if m.counted]


def evaluate(case, *, candidates=None, reviews=None, required: int | None = None) -> Assessment:
    """Judge the case by its current facts; writes nothing. `candidates`, `reviews` and `required`
    may be given when many cases are judged at once (crime_matches.pool)."""
    article1 = [_label(f) for f in ARTICLE1_FIELDS if getattr(case, f)]
    article2 = [_label(f) for f in ARTICLE2_FLAGS if getattr(case, f)]
    if (case.other_serious or "").strip():
        article2.append(f"{_label('other_serious')}：{case.other_serious.strip()}")
    ident = crime_matches.identity(case)
    matched_by = "id" if ident.id_index else ("name" if (case.party_name or "").strip() else None)
    found = crime_matches.matches(case, candidates, reviews) if case.offence_date else []
    counted = [m.earlier for m in found if m.counted]
    pending = [m for m in found if m.pending]
    # Penalties other regions' platforms sent count when the ID number is the same (exchange).
    external = history.external_penalties(case)
    count = len(counted) + len(external.counted)
    needs_review = False
    if found or external.counted:
        required = required if required is not None else required_priors(case)
        if count >= required:
            article2.append(f"曾因非法行医受过{count}次行政处罚后再次非法行医")
        elif count + len(pending) >= required:
            needs_review = True
            article2.append(
                f"曾因非法行医受过{count + len(pending)}次行政处罚后再次非法行医"
                f"（其中{len(pending)}次仅姓名一致，{NEEDS_REVIEW}）"
            )
    suspected = bool(article1) and bool(article2)
    needs_review = needs_review and suspected and len(article2) == 1
    reasons = []
    if article1:
        reasons.append("解释第一条：" + "；".join(article1))
    else:
        reasons.append("不符合解释第一条（未取得医生执业资格的人）的情形")
    if article2:
        reasons.append("解释第二条（情节严重）：" + "；".join(article2))
    if count:
        places = "、".join(dict.fromkeys([*(c.region.full_name for c in counted), *external.regions]))
        reasons.append(f"违法行为发生日前因非法行医受行政处罚{count}次（{places}）")
    if pending:
        places = "、".join(dict.fromkeys(m.earlier.region.full_name for m in pending))
        reasons.append(
            f"另有{len(pending)}次处罚记录仅按姓名“{case.party_name}”匹配（{places}），{NEEDS_REVIEW}是否同一人"
        )
    if external.by_name:
        places = "、".join(dict.fromkeys(p.source_region_name for p in external.by_name))
        reasons.append(
            f"外地平台共享的{len(external.by_name)}条处罚记录仅姓名一致（{places}），{NEEDS_REVIEW}，未计入"
        )
    if needs_review:
        reasons.insert(0, f"涉嫌非法行医罪（{NEEDS_REVIEW}）")
    return Assessment(
        suspected=suspected,
        article1=article1,
        article2=article2,
        reasons=reasons,
        prior_penalties=count,
        matched_by=matched_by,
        matches=found,
        pending=len(pending),
        needs_review=needs_review,
        external=external,
    )


def _leaders(case):
    """Who must hear that a case turned criminal: the unit's leaders and section chiefs, and where
    the unit has no leader, the leaders of the unit above (someone must be able to override)."""
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role

    users = list(User.objects.filter(unit=case.unit, role__in=[Role.LEADER, Role.CHIEF], is_active=True))
    if not any(u.role == Role.LEADER for u in users) and case.unit.parent_id:
        users += list(User.objects.filter(unit=case.unit.parent, role=Role.LEADER, is_active=True))
    return users


_event = CaseEvent.add


@transaction.atomic
def crime_refresh(*, case, actor=None, assessment: Assessment | None = None) -> Assessment:
    """Re-evaluate and store the flag and reasons on the case. The unit's leaders are told when the
    flag turns on; nothing is written when nothing changed, so running it twice is harmless.
    `assessment`: one made for the case just now (an import judges its cases in bulk)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    result = assessment if assessment is not None else evaluate(locked)
    turned_on = result.suspected and not locked.crime_suspected
    if locked.crime_suspected != result.suspected or locked.crime_reasons != result.reasons:
        before = audit.snapshot(locked)
        locked.crime_suspected = result.suspected
        locked.crime_reasons = result.reasons
        locked.save(update_fields=["crime_suspected", "crime_reasons", "updated_at"])
        b, a = audit.diff(before, audit.snapshot(locked))
        audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=locked, before=b, after=a)
        _event(
            locked,
            actor,
            "涉嫌犯罪评估",
            note=("涉嫌非法行医罪：" if result.suspected else "未达到非法行医罪标准：")
            + "；".join(result.reasons),
        )
    if turned_on:
        users = _leaders(locked)
        text = f"案件 {locked.number or locked.title} 涉嫌非法行医罪，应移送公安机关" + (
            f"（此前处罚记录{NEEDS_REVIEW}）" if result.needs_review else ""
        )
        url = locked.get_absolute_url()
        transaction.on_commit(lambda: notify(users, text, url))
    case.crime_suspected = locked.crime_suspected
    case.crime_reasons = locked.crime_reasons
    return result


def police_referral_approved(case) -> bool:
    from .referral_workflow import SENT

    return case.referrals.filter(target=ReferralTarget.POLICE, status__in=SENT).exists()


def close_blocked_reason(case) -> str | None:
    """Why the case may not be closed yet: a suspected crime must go to the police (行政执法机关移送
    涉嫌犯罪案件的规定 第3条) unless a leader recorded why not. Judged on the current facts, not the
    stored flag, so penalties imported since the last evaluation still count."""
    result = evaluate(case)
    if not result.suspected:
        return None
    if police_referral_approved(case) or (case.crime_override_reason or "").strip():
        return None
    return f"{BLOCKED_PREFIX}：{'；'.join(result.reasons)}"


def close_problem(case, inputs) -> str | None:
    """The close step's condition in cases.workflow."""
    return close_blocked_reason(case)


def _require_in_scope(actor, case) -> None:
    from .services import require_in_scope  # imported here: services imports this module

    require_in_scope(actor, case)


@transaction.atomic
def crime_override(*, actor, case, reason: str) -> Case:
    """A leader decides not to refer a flagged case, and must say why; the reason stays on the case."""
    if not actor.can("cases.override"):
        raise PermissionDenied("只有领导可以决定不移送公安机关")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写不移送公安机关的理由"})
    locked = Case.objects.select_for_update().get(pk=case.pk)
    _require_in_scope(actor, locked)
    before = audit.snapshot(locked)
    locked.crime_override_reason = reason
    locked.crime_override_by = actor
    locked.save(update_fields=["crime_override_reason", "crime_override_by", "updated_at"])
    b, a = audit.diff(before, audit.snapshot(locked))
    audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=locked, before=b, after=a)
    _event(locked, actor, "决定不移送公安机关", note=reason)
    case.crime_override_reason, case.crime_override_by = locked.crime_override_reason, actor
    return locked


# What the officer records; 第2条(4) is absent on purpose: it is counted, never typed.
FACT_FIELDS = (*ARTICLE1_FIELDS, *ARTICLE2_FLAGS, "other_serious")


@transaction.atomic
def crime_facts_record(*, actor, case, facts: dict, version: str | None = None) -> Assessment:
    """Record the facts of 解释 第1条 and 第2条 found by the investigation (the party has no 医师资格,
    a patient was harmed …), then evaluate the case again with the history counted in. `version`: the
    form's token (core.concurrency); a form opened before a colleague's save is refused."""
    if not actor.can("cases.edit"):
        raise PermissionDenied("您没有修改案件的权限")
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise ValidationError(f"未知的事实项：{'、'.join(sorted(unknown))}")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    _require_in_scope(actor, locked)
    concurrency.check_version(locked, version, FACT_FIELDS)
    if hasattr(locked, "decision"):
        raise ValidationError("已作出处罚决定的案件不能再修改涉嫌犯罪的事实")
    before = audit.snapshot(locked)
    for name in FACT_FIELDS:
        if name in facts:
            value = facts[name]
            setattr(locked, name, (value or "").strip() if name == "other_serious" else bool(value))
    locked.save(update_fields=[*FACT_FIELDS, "updated_at"])
    b, a = audit.diff(before, audit.snapshot(locked))
    if b or a:
        audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=locked, before=b, after=a)
        _event(locked, actor, "记录涉嫌犯罪相关事实")
    return crime_refresh(case=locked, actor=actor)
