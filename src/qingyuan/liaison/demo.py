"""Demo rows for the departments' pages: a 吴中 case referred to the 吴中 police (addressed to the unit
on the platform, approved and sent, waiting for the police liaison), and a 情况通报 from the police."""

from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.cases import referrals
from qingyuan.cases.models import Case, CaseStatus, Referral, ReferralTarget
from qingyuan.regions.models import Unit, UnitKind

from . import services
from .models import Notice


def load_demo_liaison() -> None:
    chief = User.objects.filter(username="wz_chief").select_related("unit__region").first()
    liaison = User.objects.filter(username="police_liaison").select_related("unit__region").first()
    if chief is None or liaison is None:
        return
    if not Referral.objects.filter(receiving_unit=liaison.unit).exists():
        case = (
            Case.objects.filter(unit=chief.unit)
            .exclude(status__in=[CaseStatus.NOT_OPENED, CaseStatus.REVOKED, CaseStatus.CLOSED])
            .exclude(referrals__target=ReferralTarget.POLICE)
            # The latest case: tests built on the demo take the first one for their own referrals.
            .order_by("-pk")
            .first()
        )
        if case is not None:
            referral = referrals.referral_propose(
                actor=chief,
                case=case,
                target=ReferralTarget.POLICE,
                receiving_unit=liaison.unit,
                reason="当事人未取得医生执业资格非法行医，曾因非法行医受过行政处罚，涉嫌非法行医罪",
            )
            referrals.referral_approve(actor=chief, referral=referral)
            referrals.referral_transfer(actor=chief, referral=referral, transferred_at=timezone.now())
    if not Notice.objects.filter(from_unit=liaison.unit).exists():
        health = Unit.objects.filter(
            region=liaison.unit.region, kind__in=[UnitKind.SUPERVISION_INSTITUTE, UnitKind.HEALTH_COMMISSION]
        )
        if health.exists():
            services.notice_send(
                actor=liaison,
                title="关于近期打击非法行医联合行动的情况通报",
                body="本月我局配合卫生监督所查处非法行医窝点2处，抓获犯罪嫌疑人1名。请各单位继续做好信息共享。",
                units=list(health),
            )
