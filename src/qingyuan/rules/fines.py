"""The lawful fine range of an offence, computed from its formula (RULES.md) and the illegal income.

Amounts are in yuan, rounded to the fen. Every range carries a Chinese explanation of how it was
reached, because the officer has to write that reasoning into the decision."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .models import FineKind, Offence
from .selectors import offence_in_force

CENT = Decimal("0.01")


@dataclass(frozen=True)
class FineRange:
    offence: Offence
    minimum: Decimal
    maximum: Decimal
    optional: bool
    explanation: str


def to_money(value, label: str = "金额") -> Decimal:
    """A Decimal in yuan rounded to the fen; a clear Chinese error for anything else."""
    if value is None or value == "":
        raise ValidationError(f"请填写{label}")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{label}不是有效的数字：{value}") from exc
    if not amount.is_finite():
        raise ValidationError(f"{label}不是有效的数字：{value}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(amount: Decimal) -> str:
    """50000 → "50,000.00"."""
    return f"{amount.quantize(CENT):,.2f}"


def _plain(amount: Decimal) -> str:
    """Legal-text style: 10000 → "1万元", 5000 → "5000元", 1.5 → "1.5"."""
    if amount >= 10000 and amount % 10000 == 0:
        return f"{_number(amount / 10000)}万元"
    return f"{_number(amount)}元"


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _times(offence: Offence) -> str:
    return f"{_number(offence.multiplier_min)}–{_number(offence.multiplier_max)}倍"


def _multiplied(offence: Offence, base: Decimal) -> tuple[Decimal, Decimal]:
    return (
        (base * offence.multiplier_min).quantize(CENT, rounding=ROUND_HALF_UP),
        (base * offence.multiplier_max).quantize(CENT, rounding=ROUND_HALF_UP),
    )


def has_fine(offence: Offence) -> bool:
    return not offence.referral_only and offence.fine_kind != FineKind.NONE


def fine_range(offence: Offence, income) -> FineRange | None:
    """The range for `offence` given the illegal income (0 when there is none); None when the
    offence carries no fine. Negative income is refused."""
    income = to_money(income, "违法所得")
    if income < 0:
        raise ValidationError("违法所得不能为负数")
    if not has_fine(offence):
        return None
    kind = offence.fine_kind
    if kind == FineKind.MULTIPLE:
        floor = offence.income_floor or Decimal("0")
        if income < floor:
            base = floor.quantize(CENT)
            lead = f"违法所得不足{_plain(floor)}按{_plain(floor)}计：{yuan(base)}元"
        else:
            base = income
            lead = f"违法所得{yuan(base)}元"
        low, high = _multiplied(offence, base)
        explanation = f"{lead} × {_times(offence)} = {yuan(low)}–{yuan(high)}元"
    elif kind == FineKind.FIXED:
        low, high = offence.fine_min.quantize(CENT), offence.fine_max.quantize(CENT)
        explanation = f"罚款{yuan(low)}–{yuan(high)}元（与违法所得无关）"
    elif kind == FineKind.THRESHOLD:
        threshold = offence.income_threshold
        if income >= threshold:
            low, high = _multiplied(offence, income)
            explanation = (
                f"违法所得{yuan(income)}元，达到{_plain(threshold)}：{yuan(income)}元 × {_times(offence)}"
                f" = {yuan(low)}–{yuan(high)}元"
            )
        else:
            low, high = offence.fine_min.quantize(CENT), offence.fine_max.quantize(CENT)
            explanation = f"没有违法所得或违法所得不足{_plain(threshold)}：罚款{yuan(low)}–{yuan(high)}元"
    else:  # pragma: no cover - a kind added to FineKind without a formula here
        raise ValidationError(f"未知的罚款计算方式：{kind}")
    if offence.fine_optional:
        explanation += "；法条为“可以”并处，也可不处罚款"
    return FineRange(
        offence=offence, minimum=low, maximum=high, optional=offence.fine_optional, explanation=explanation
    )


def _range_text(rng: FineRange) -> str:
    return f"{yuan(rng.minimum)}元至{yuan(rng.maximum)}元"


def check_fine(offence: Offence, income, amount) -> FineRange | None:
    """Refuse a fine outside the lawful range; returns the range (None for an offence without fine).

    No fine (None or 0) is lawful only where the article says "可以" or carries no fine."""
    rng = fine_range(offence, income)
    amount = None if amount is None or amount == "" else to_money(amount, "罚款金额")
    label = f"{offence.code} {offence.name}"
    if amount is not None and amount < 0:
        raise ValidationError("罚款金额不能为负数", code="fine_negative")
    if not amount:
        if rng is None or rng.optional:
            return rng
        raise ValidationError(
            f"该违法行为须并处罚款，罚款金额须在{_range_text(rng)}之间（{label}：{rng.explanation}）"
            if rng.minimum > 0
            else f"该违法行为须并处罚款，罚款金额须大于0元、不超过{yuan(rng.maximum)}元（{label}）",
            code="fine_required",
        )
    if rng is None:
        reason = "由其他部门处理，卫生健康部门不处罚款" if offence.referral_only else "法律未规定罚款"
        raise ValidationError(f"{label}{reason}，不能处以罚款", code="fine_not_allowed")
    if not rng.minimum <= amount <= rng.maximum:
        raise ValidationError(
            f"罚款金额须在{_range_text(rng)}之间（{label}：{rng.explanation}）", code="fine_out_of_range"
        )
    return rng


def expand_codes(codes: list[str], on: date) -> list[Offence]:
    """The offences in force on `on` for `codes`, an offence that applies others (MR-01) replaced by
    them, each once, in the given order."""
    result, seen = [], set()
    for code in codes:
        code = code.strip()
        try:
            offence = offence_in_force(code, on)
        except Offence.DoesNotExist as exc:
            raise ValidationError(f"违法行为{code}在{on:%Y-%m-%d}没有有效的条款版本") from exc
        applied = [c.strip() for c in offence.applies_codes.split(",") if c.strip()]
        targets = expand_codes(applied, on) if applied else [offence]
        for target in targets:
            if target.code not in seen:
                seen.add(target.code)
                result.append(target)
    return result


def ranges_for(codes: list[str], income, on: date) -> list[FineRange]:
    """Every fine range for one act that several provisions cover, highest maximum first.

    行政处罚法 第29条: the provision with the higher fine applies; the officer chooses, so all are
    shown. Offences without a fine contribute no range."""
    ranges = [rng for offence in expand_codes(codes, on) if (rng := fine_range(offence, income))]
    return sorted(ranges, key=lambda r: (-r.maximum, -r.minimum))
