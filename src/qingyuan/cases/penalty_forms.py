"""Forms of the penalty procedure pages (拟处罚 to 集体讨论). They only parse input; the rules are in
cases.penalty and the writes in cases.penalty_steps."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.core.forms import DateInput, DateTimeInput, StyledForm, today

from .models import MeasureKind
from .models_procedure import Discretion, DiscussionConclusion, ReviewConclusion, StatementRecord

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _money(label):
    return forms.DecimalField(
        label=label, required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2
    )


def _people(unit, *, label, required=True, multiple=False, credentials=False):
    queryset = User.objects.filter(unit=unit, is_active=True).order_by("full_name")
    if credentials:
        queryset = queryset.exclude(credential_no="")
    if multiple:
        field = forms.ModelMultipleChoiceField(
            label=label, queryset=queryset, required=required, widget=forms.CheckboxSelectMultiple
        )
        field.widget.attrs["class"] = "form-check-input"
    else:
        field = forms.ModelChoiceField(
            label=label, queryset=queryset, required=required, empty_label="（请选择）"
        )
    field.label_from_instance = lambda u: u.full_name or "（未填姓名）"
    return field


class MeasuresForm(StyledForm):
    """The measures of a penalty, one field per kind (拟处罚 and the decision share them)."""

    warning = forms.BooleanField(label="警告", required=False)
    fine = _money("罚款（元）")
    confiscate_income = _money("没收违法所得（元）")
    confiscate_goods = forms.CharField(label="没收药品器械（清单）", max_length=300, required=False)
    ban = forms.BooleanField(label="取缔/责令停止执业活动", required=False)
    suspend = forms.CharField(label="暂停执业/停业整顿（期限）", max_length=300, required=False)
    revoke = forms.CharField(label="吊销许可证或执业证书（证件名称）", max_length=300, required=False)

    @staticmethod
    def initial_from(measures) -> dict:
        """Field values for measure rows (ProposedMeasure or PenaltyMeasure)."""
        initial = {}
        for m in measures:
            if m.kind in (MeasureKind.WARNING, MeasureKind.BAN):
                initial[m.kind] = True
            elif m.kind in (MeasureKind.FINE, MeasureKind.CONFISCATE_INCOME):
                initial[m.kind] = m.amount
            else:
                initial[m.kind] = m.description or "是"
        return initial

    def measures(self) -> list[dict]:
        data = self.cleaned_data
        result = []
        if data.get("warning"):
            result.append({"kind": MeasureKind.WARNING})
        if data.get("fine"):
            result.append({"kind": MeasureKind.FINE, "amount": data["fine"]})
        if data.get("confiscate_income"):
            result.append({"kind": MeasureKind.CONFISCATE_INCOME, "amount": data["confiscate_income"]})
        if data.get("confiscate_goods"):
            result.append({"kind": MeasureKind.CONFISCATE_GOODS, "description": data["confiscate_goods"]})
        if data.get("ban"):
            result.append({"kind": MeasureKind.BAN})
        if data.get("suspend"):
            result.append({"kind": MeasureKind.SUSPEND, "description": data["suspend"]})
        if data.get("revoke"):
            result.append({"kind": MeasureKind.REVOKE, "description": data["revoke"]})
        return result


class ProposalForm(MeasuresForm):
    offence_code = forms.ChoiceField(label="适用条款", choices=())
    facts = forms.CharField(label="违法事实及证据", widget=forms.Textarea(attrs={"rows": 4}))
    discretion = forms.ChoiceField(label="裁量情节", choices=Discretion.choices, initial=Discretion.NORMAL)
    discretion_reason = forms.CharField(
        label="裁量理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="从轻、减轻、从重或不予处罚须写明理由",
    )
    discretion_basis = forms.CharField(
        label="裁量依据",
        max_length=300,
        required=False,
        help_text="减轻或不予处罚须填写，如“行政处罚法第32条第1项”“行政处罚法第33条第1款”",
    )

    field_order = ["offence_code", "facts", "discretion", "discretion_reason", "discretion_basis"]

    def __init__(self, *args, case, user=None, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offence_code"].choices = [
            (co.offence.code, f"{co.offence.code} {co.offence.name}")
            for co in case.offences.select_related("offence")
        ]
        if not self.is_bound:
            if proposal is not None:
                # A new version starts from the current one: the officer changes what changed.
                self.initial.update(
                    offence_code=proposal.offence.code,
                    facts=proposal.facts,
                    discretion=proposal.discretion,
                    discretion_reason=proposal.discretion_reason,
                    discretion_basis=proposal.discretion_basis,
                    **self.initial_from(proposal.measures.all()),
                )
            else:
                self.initial.setdefault("facts", case.facts)
                if case.illegal_income:
                    self.initial.setdefault("confiscate_income", case.illegal_income)


class NoticeForm(StyledForm):
    notified_on = forms.DateField(label="告知书送达日期", widget=DateInput, initial=today)
    notice_number = forms.CharField(label="告知书文号", max_length=60, required=False)
    waived = forms.BooleanField(label="当事人书面放弃陈述申辩和听证", required=False)

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class StatementForm(StyledForm):
    taken_at = forms.DateTimeField(
        label="陈述申辩时间", widget=DateTimeInput(), input_formats=DATETIME_FORMATS, initial=timezone.now
    )
    place = forms.CharField(label="地点", max_length=200)
    speaker = forms.CharField(label="陈述申辩人", max_length=100)
    content = forms.CharField(label="陈述申辩内容", widget=forms.Textarea(attrs={"rows": 4}))
    adoption = forms.ChoiceField(
        label="复核意见", choices=[("", "（尚未复核）"), *StatementRecord.Adoption.choices], required=False
    )
    adoption_reason = forms.CharField(
        label="复核理由", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, case, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"] = _people(
            case.unit, label="承办人（至少2名）", multiple=True, credentials=True
        )
        if not self.is_bound:
            self.initial.setdefault("officers", list(case.officers.all()))
            self.initial.setdefault("speaker", case.party_name)


class HearingRequestForm(StyledForm):
    requested_on = forms.DateField(label="申请听证日期", widget=DateInput, initial=today)

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class HearingScheduleForm(StyledForm):
    notice_served_on = forms.DateField(label="听证通知书送达日期", widget=DateInput, initial=today)
    scheduled_at = forms.DateTimeField(
        label="听证时间", widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    place = forms.CharField(label="听证地点", max_length=200)
    public = forms.BooleanField(label="公开举行", required=False, initial=True)

    def __init__(self, *args, case, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"] = _people(case.unit, label="听证主持人（非本案调查人员）")
        self.fields["clerk"] = _people(case.unit, label="记录员", required=False)


class HearingEndForm(StyledForm):
    ended_on = forms.DateField(label="听证结束日期", widget=DateInput, initial=today)
    report = forms.CharField(label="听证报告", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class LegalReviewForm(StyledForm):
    reviewed_on = forms.DateField(label="审核日期", widget=DateInput, initial=today)
    conclusion = forms.ChoiceField(label="审核结论", choices=[("", "（请选择）"), *ReviewConclusion.choices])
    opinion = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, case, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = _people(case.unit, label="其他审核人员", required=False, multiple=True)
        if user is not None:
            field.queryset = field.queryset.exclude(pk=user.pk)
        self.fields["co_reviewers"] = field


class DiscussionForm(StyledForm):
    held_on = forms.DateField(label="讨论日期", widget=DateInput, initial=today)
    place = forms.CharField(label="地点", max_length=200, required=False)
    other_participants = forms.CharField(label="其他参加人员", max_length=300, required=False)
    opinions = forms.CharField(label="讨论意见", widget=forms.Textarea(attrs={"rows": 4}))
    conclusion = forms.ChoiceField(
        label="讨论结论", choices=[("", "（请选择）"), *DiscussionConclusion.choices]
    )
    conclusion_text = forms.CharField(
        label="决定内容",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="变更处罚意见的，写明变更后的处罚",
    )

    field_order = ["held_on", "place", "chair", "participants", "other_participants", "recorder"]

    def __init__(self, *args, case, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"] = _people(case.unit, label="主持人")
        self.fields["participants"] = _people(
            case.unit, label="参加人员（含主持人不少于3人，本单位集体讨论制度）", multiple=True
        )
        self.fields["recorder"] = _people(case.unit, label="记录人", required=False)
        self.order_fields(self.field_order)
        if user is not None and not self.is_bound:
            self.initial.setdefault("chair", user)


class TimeBarForm(StyledForm):
    time_bar_reason = forms.CharField(
        label="超过追责期限仍立案的理由", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
