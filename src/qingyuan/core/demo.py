"""Demo data: 苏州市 with its counties, some townships and villages, units, users of every role, a few
hundred institutions and practitioners and a few dozen subjects. People and places are fictional;
township and village codes follow the statistical pattern but are illustrative, not official."""

import datetime as dt
import random
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import Role
from qingyuan.cases.models import CaseNumbering
from qingyuan.core import audit
from qingyuan.core.crypto import blind_index
from qingyuan.core.idcard import check_digit
from qingyuan.regions.models import Level, Region, Unit, UnitKind
from qingyuan.registry.models import (
    Institution,
    InstitutionCategory,
    InstitutionStatus,
    LicenceKind,
    Practitioner,
    PractitionerKind,
    PractitionerStatus,
)
from qingyuan.subjects import services as subject_services
from qingyuan.subjects.models import InstitutionType, PracticeContent, Subject, SubjectKind

CITY = "320500"
TOWNSHIPS = {
    "320506": [("100", "木渎镇"), ("101", "甪直镇"), ("102", "胥口镇"), ("001", "长桥街道")],
    "320507": [("100", "黄埭镇"), ("101", "渭塘镇"), ("102", "望亭镇"), ("001", "元和街道")],
    "320581": [("100", "梅李镇"), ("101", "海虞镇"), ("001", "虞山街道")],
    "320583": [("100", "周庄镇"), ("101", "千灯镇"), ("001", "玉山镇")],
}
VILLAGE_NAMES = [
    ("001", "社区居委会", "111"),
    ("002", "新村社区居委会", "112"),
    ("201", "村委会", "220"),
    ("202", "村委会", "220"),
    ("203", "村委会", "210"),
]
VILLAGE_STEMS = [
    "金星",
    "长浜",
    "东湖",
    "西山",
    "南港",
    "北庄",
    "新塘",
    "花园",
    "友谊",
    "太平",
    "合丰",
    "永安",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建华建国志强海燕晓东春梅"
STREETS = ["人民路", "干将路", "长江路", "金山路", "太湖路", "凤凰街", "东环路", "西环路", "中山路", "胜利街"]
DEPARTMENTS = ["内科", "外科", "妇产科", "儿科", "口腔科", "中医科", "医学检验科", "医学影像科", "医疗美容科"]

DEMO_PASSWORD_FILE = "demo_password"  # noqa: S105 (a file name, not a password)


def _rand_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _id_number(rng, region_code):
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
    first17 = f"{region_code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_digit(first17)


def demo_password() -> str:
    path = settings.VAR_DIR / DEMO_PASSWORD_FILE
    if not path.exists():
        # Random per installation: demo accounts never share a password published anywhere.
        path.write_text("Qy-" + secrets.token_urlsafe(9) + "7a")
        path.chmod(0o600)
    return path.read_text().strip()


def _ensure_local_regions():
    for county_code, towns in TOWNSHIPS.items():
        county = Region.objects.get(code=county_code)
        for t_suffix, t_name in towns:
            t_code = county_code + t_suffix
            town, _ = Region.objects.get_or_create(
                code=t_code,
                defaults={
                    "name": t_name,
                    "level": Level.TOWNSHIP,
                    "parent": county,
                    "full_name": county.full_name + t_name,
                    "kind": "乡镇/街道",
                    "prefix": t_code,
                },
            )
            for i, (v_suffix, v_kind, klass) in enumerate(VILLAGE_NAMES):
                stem = VILLAGE_STEMS[(int(t_suffix) + i * 3) % len(VILLAGE_STEMS)]
                v_code = t_code + v_suffix
                name = stem + v_kind
                Region.objects.get_or_create(
                    code=v_code,
                    defaults={
                        "name": name,
                        "level": Level.VILLAGE,
                        "parent": town,
                        "full_name": town.full_name + name,
                        "kind": "村/社区",
                        "urban_rural_class": klass,
                        "prefix": v_code,
                    },
                )


def _unit(name, kind, region, parent=None):
    unit, _ = Unit.objects.get_or_create(region=region, name=name, defaults={"kind": kind, "parent": parent})
    return unit


def _ensure_units():
    city = Region.objects.get(code=CITY)
    province = Region.objects.get(code="320000")
    units = {"province": _unit("江苏省卫生健康委员会", UnitKind.HEALTH_COMMISSION, province)}
    units["city"] = _unit("苏州市卫生健康委员会", UnitKind.HEALTH_COMMISSION, city, units["province"])
    units["city_sup"] = _unit("苏州市卫生监督所", UnitKind.SUPERVISION_INSTITUTE, city, units["city"])
    units["city_police"] = _unit("苏州市公安局", UnitKind.POLICE, city)
    for county in Region.objects.filter(parent_id=CITY, is_active=True):
        commission = _unit(f"{county.name}卫生健康委员会", UnitKind.HEALTH_COMMISSION, county, units["city"])
        units[county.code] = _unit(
            f"{county.name}卫生监督所", UnitKind.SUPERVISION_INSTITUTE, county, commission
        )
        # Case and document numbers carry the unit's short name (吴中卫医罚〔2026〕1号), never its full name.
        CaseNumbering.objects.get_or_create(unit=units[county.code], defaults={"abbr": county.name[:2]})
        _unit(f"{county.name}市场监督管理局", UnitKind.MARKET_REGULATION, county)
        units[county.code + "_police"] = _unit(f"苏州市公安局{county.name}分局", UnitKind.POLICE, county)
    for town in Region.objects.filter(code__startswith="3205", level=Level.TOWNSHIP):
        _unit(f"{town.name}卫生院", UnitKind.TOWNSHIP_HOSPITAL, town)
        _unit(f"{town.name}派出所", UnitKind.POLICE, town)
    return units


# (username, unit key, role, full name, credential no)
DEMO_USERS = [
    ("admin", "city", Role.SYSADMIN, "钱森", ""),
    ("security", "city", Role.SECADMIN, "吴安", ""),
    ("auditor", "city", Role.AUDITOR, "郑审", ""),
    ("province_leader", "province", Role.LEADER, "冯致远", ""),
    ("city_leader", "city", Role.LEADER, "赵大伟", ""),
    ("city_supervisor", "city_sup", Role.SUPERVISOR, "褚明", "32050001009"),
    ("wz_chief", "320506", Role.CHIEF, "孙志强", "32050601000"),
    ("wz_inspector1", "320506", Role.INSPECTOR, "李爱丽", "32050601001"),
    ("wz_inspector2", "320506", Role.INSPECTOR, "王博", "32050601002"),
    ("wz_clerk", "320506", Role.CLERK, "周晓", ""),
    ("xc_chief", "320507", Role.CHIEF, "蒋志远", "32050701000"),
    ("xc_inspector1", "320507", Role.INSPECTOR, "陈可", "32050701001"),
    ("xc_inspector2", "320507", Role.INSPECTOR, "蒋宁", "32050701002"),
    ("police_liaison", "320506_police", Role.LIAISON, "韩警", ""),
]


def _ensure_users(units, password):
    created = []
    for username, unit_key, role, full_name, credential in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            unit=units[unit_key],
            role=role,
            full_name=full_name,
            credential_no=credential,
            must_change_password=False,
        )
        user.set_password(password)
        user.save()
        created.append(user)
    audit.record_many(
        [{"action": audit.AuditAction.CREATE, "target": u, "after": audit.snapshot(u)} for u in created]
    )


def _ensure_registry(rng):
    if Institution.objects.filter(region__code__startswith="3205").exists():
        return
    counties = list(Region.objects.filter(parent_id=CITY, is_active=True))
    categories = [
        (InstitutionCategory.CLINIC, "诊所", 40),
        (InstitutionCategory.OUTPATIENT, "门诊部", 10),
        (InstitutionCategory.HOSPITAL, "医院", 6),
        (InstitutionCategory.VILLAGE_CLINIC, "卫生室", 20),
        (InstitutionCategory.TCM_CLINIC, "中医诊所", 12),
        (InstitutionCategory.DENTAL, "口腔诊所", 8),
        (InstitutionCategory.AESTHETIC, "医疗美容门诊部", 4),
    ]
    institutions = []
    for n in range(300):
        county = counties[n % len(counties)]
        category, suffix, _ = rng.choices(categories, weights=[c[2] for c in categories])[0]
        filed = (
            category in (InstitutionCategory.CLINIC, InstitutionCategory.TCM_CLINIC) and rng.random() < 0.5
        )
        status = rng.choices(
            [InstitutionStatus.VALID, InstitutionStatus.CANCELLED, InstitutionStatus.REVOKED],
            weights=[92, 5, 3],
        )[0]
        street = rng.choice(STREETS)
        institutions.append(
            Institution(
                name=f"苏州{county.name[:2]}{_rand_name(rng)}{suffix}",
                category=category,
                licence_kind=LicenceKind.FILING if filed else LicenceKind.LICENCE,
                licence_no=f"{'BA' if filed else 'PDY'}{county.code}{n + 1:05d}",
                valid_until=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365 * 5)),
                address=f"{county.full_name}{street}{rng.randrange(1, 400)}号",
                region=county,
                legal_representative=_rand_name(rng),
                departments="、".join(rng.sample(DEPARTMENTS, 2)),
                status=status,
                # Not drawn from rng, so the rest of the demo stays as it was: 注销/吊销 are dated.
                status_changed_on=None
                if status == InstitutionStatus.VALID
                else dt.date(2024, 3, 1) + dt.timedelta(days=n * 37 % 900),
            )
        )
    Institution.objects.bulk_create(institutions)
    institutions = list(Institution.objects.filter(region__code__startswith="3205"))
    practitioners = []
    for n in range(400):
        inst = institutions[n % len(institutions)]
        kind = rng.choices(list(PractitionerKind), weights=[50, 15, 10, 20, 3, 2])[0]
        id_number = _id_number(rng, inst.region_id)
        practitioners.append(
            Practitioner(
                name=_rand_name(rng),
                id_number=id_number,
                id_number_index=blind_index(id_number),
                qualification_no=f"2009{rng.randrange(10**10):010d}"
                if kind != PractitionerKind.NURSE
                else "",
                certificate_no=f"1{inst.region_id}{n + 1:08d}",
                kind=kind,
                practice_category=rng.choice(["临床", "中医", "口腔", "公共卫生"]),
                practice_scope=rng.choice(["内科专业", "外科专业", "全科医学专业", "口腔专业", "中医专业"]),
                institution=inst,
                region=inst.region,
                status=(p_status := rng.choices(list(PractitionerStatus), weights=[94, 3, 2, 1])[0]),
                status_changed_on=None
                if p_status == PractitionerStatus.VALID
                else dt.date(2024, 5, 1) + dt.timedelta(days=n * 41 % 900),
            )
        )
    Practitioner.objects.bulk_create(practitioners)
    entries = [
        {"action": audit.AuditAction.CREATE, "target": i, "after": audit.snapshot(i)}
        for i in Institution.objects.filter(region__code__startswith="3205")
    ]
    entries += [
        {"action": audit.AuditAction.CREATE, "target": p, "after": audit.snapshot(p)}
        for p in Practitioner.objects.filter(region__code__startswith="3205")
    ]
    audit.record_many(entries)


SUBJECT_PATTERNS = [
    (SubjectKind.UNLICENSED_CLINIC, "{name}私人诊所", PracticeContent.INTERNAL, InstitutionType.WESTERN),
    (SubjectKind.UNLICENSED_CLINIC, "无名牙科（{street}）", PracticeContent.DENTAL, InstitutionType.DENTAL),
    (SubjectKind.ITINERANT, "{name}", PracticeContent.TCM, InstitutionType.TCM),
    (SubjectKind.BEAUTY_SALON, "{stem}美容美体中心", PracticeContent.AESTHETIC, InstitutionType.AESTHETIC),
    (SubjectKind.WELLNESS, "{stem}中医养生馆", PracticeContent.TCM, InstitutionType.TCM),
    (SubjectKind.UNLICENSED_CLINIC, "{stem}性病诊疗点", PracticeContent.STD, InstitutionType.WESTERN),
]


def _ensure_subjects(rng, actor):
    if Subject.objects.filter(region__code__startswith="3205").exists():
        return
    villages = list(Region.objects.filter(code__startswith="3205", level=Level.VILLAGE))
    # Each county's own chief registers its subjects (the service refuses anyone outside the county);
    # counties without a demo chief get theirs from the loader itself, as the system.
    chiefs = {u.unit.region_id: u for u in User.objects.filter(role=Role.CHIEF).select_related("unit")}
    for n in range(40):
        village = villages[n % len(villages)]
        owner = chiefs.get(village.code[:6]) if actor is not None else None
        kind, pattern, content, itype = SUBJECT_PATTERNS[n % len(SUBJECT_PATTERNS)]
        street = rng.choice(STREETS)
        name = pattern.format(name=_rand_name(rng), street=street, stem=rng.choice(VILLAGE_STEMS))
        subject = subject_services.subject_save(
            actor=owner,
            subject=None,
            data={
                "name": name,
                "kind": kind,
                "address": f"{village.full_name}{street}{rng.randrange(1, 200)}号",
                "region": village,
                "practice_content": content,
                "institution_type": itype,
                "border_area": n % 9 == 0,
                "needs_joint_action": n % 7 == 0,
            },
        )
        person_name = name if kind == SubjectKind.ITINERANT else _rand_name(rng)
        subject_services.person_add(
            actor=owner,
            subject=subject,
            data={
                "name": person_name,
                "role": "practitioner" if kind == SubjectKind.ITINERANT else "operator",
                "id_number": _id_number(rng, village.code),
                "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            },
        )


DEMO_TIPS = [
    ("phone", "unlicensed", "木渎镇金星村有人在自家民房里给村民输液，已经开了半年多", "吴中区木渎镇金星村"),
    ("web", "aesthetic", "甪直镇一家美容院给顾客注射玻尿酸，没有医生", "吴中区甪直镇长浜村委会"),
    ("letter_visit", "itinerant", "每逢集市有外地人摆摊拔牙、卖药", "相城区黄埭镇"),
    ("transfer", "advertising", "网上发布“包治性病”广告，留有电话", "常熟市梅李镇"),
    ("monitoring", "tcm_wellness", "养生馆以调理为名开中药方，收费很高", "昆山市周庄镇"),
    ("phone", "unlicensed", "木渎镇和黄埭镇交界处有黑诊所", "木渎镇和黄埭镇交界处"),
]


def _ensure_leads(actor):
    from qingyuan.leads import services as lead_services
    from qingyuan.leads.models import Lead

    if Lead.objects.exists():
        return
    for n, (channel, category, content, place) in enumerate(DEMO_TIPS):
        reporter = {"name": _rand_name(random.Random(n)), "phone": f"139{n:08d}"} if n % 2 == 0 else None
        extra = (
            {"transfer_source": "market", "transfer_document": "市场监管局移送函"}
            if channel == "transfer"
            else {}
        )
        lead_services.lead_register(
            actor=actor,
            channel=channel,
            category=category,
            content=content,
            place=place,
            reporter=reporter,
            **extra,
        )


def _ensure_enforcement():
    """Inspections and cases of 吴中区 in several states: one case decided with a fine and a ban (so a
    re-inspection is due), one under investigation, one waiting for approval."""
    from decimal import Decimal

    from qingyuan.cases import services as case_services
    from qingyuan.cases.models import Case, PartyKind
    from qingyuan.inspections import services as inspection_services

    if Case.objects.exists():
        return
    chief = User.objects.get(username="wz_chief")
    officers = list(User.objects.filter(username__in=["wz_inspector1", "wz_inspector2"]).order_by("username"))
    subjects = list(
        Subject.objects.filter(region__code__startswith="320506", kind=SubjectKind.UNLICENSED_CLINIC)
        .prefetch_related("persons")
        .order_by("pk")[:3]
    )
    now = timezone.now()
    for n, subject in enumerate(subjects):
        inspection = inspection_services.inspection_record(
            actor=officers[0],
            subject=subject,
            kind="overt",
            started_at=now - dt.timedelta(days=40 - n * 10, hours=3),
            officers=officers,
            vehicles=1,
            persons_present=subject.persons.first().name,
            findings="现场有输液器械和药品，无《医疗机构执业许可证》。",
            outcome="violation",
        )
        inspection_services.evidence_add(
            actor=officers[0],
            subject=subject,
            inspection=inspection,
            uploaded_file=_scene_photo(n),
            kind="photo",
            description="现场照片：输液器械与药品",
        )
        person = subject.persons.first()
        case = case_services.case_propose(
            actor=officers[0],
            subject=subject,
            source="inspection",
            inspection=inspection,
            title="未取得医疗机构执业许可证擅自执业案",
            party_kind=PartyKind.CITIZEN,
            party_name=person.name,
            party_person=person,
            party_id_number=person.id_number,
            party_address=subject.address,
            offence_date=timezone.localdate(inspection.started_at),
            offence_codes=["ZY-01"],
            illegal_income=Decimal("3000") * (n + 1),
            facts=f"当事人{person.name}未取得《医疗机构执业许可证》，在{subject.address}开展诊疗活动。",
            officers=officers,
            checked_on=timezone.localdate(inspection.started_at),
        )
        if n == 2:
            continue  # waiting for the chief's approval
        opened_on = timezone.localdate(inspection.started_at) + dt.timedelta(days=1)
        case = case_services.case_approve_open(actor=chief, case=case, opened_on=opened_on)
        if n == 1:
            continue  # under investigation
        decide_to_ban(case, officers=officers, chief=chief, opened_on=opened_on)


def decide_to_ban(case, *, officers, chief, opened_on):
    """An opened 无证行医 case taken through the general procedure to a decision of fine, confiscation
    and ban, the way a unit would: 拟处罚, notice (rights waived), 法制审核, 集体讨论, decision."""
    from decimal import Decimal

    from qingyuan.accounts.models import User
    from qingyuan.cases import penalty_steps
    from qingyuan.cases import services as case_services
    from qingyuan.cases.models import MeasureKind, Procedure

    case = case_services.case_to_review(actor=officers[0], case=case)
    notified_on = opened_on + dt.timedelta(days=3)
    measures = [
        {"kind": MeasureKind.FINE, "amount": Decimal("50000")},
        {"kind": MeasureKind.CONFISCATE_INCOME, "amount": case.illegal_income},
        {"kind": MeasureKind.BAN},
    ]
    # 拟处罚 before the notice; the ban and the fine need 法制审核 and 集体讨论 (cases.penalty).
    penalty_steps.proposal_record(
        actor=officers[0], case=case, offence_code="ZY-01", facts=case.facts, measures=measures
    )
    case = case_services.case_notify(actor=officers[0], case=case, notified_on=notified_on, waived=True)
    penalty_steps.legal_review_submit(actor=officers[0], case=case)
    penalty_steps.legal_review_record(
        actor=chief,
        case=case,
        reviewed_on=notified_on,
        opinion="事实清楚，证据确凿，同意",
        conclusion="agree",
    )
    penalty_steps.discussion_record(
        actor=chief,
        case=case,
        held_on=notified_on,
        chair=chief,
        participants=[User.objects.get(username="city_leader"), officers[1]],
        opinions="同意拟处罚意见",
        conclusion="as_proposed",
    )
    return case_services.decision_record(
        actor=chief,
        case=case,
        offence_code="ZY-01",
        procedure=Procedure.GENERAL,
        decided_on=notified_on + dt.timedelta(days=2),
        measures=measures,
        discretion_reason="初次违法，违法所得不足1万元，按下限处罚。",
    )


def _scene_photo(n: int):
    """A small generated PNG standing in for a photo taken on site (no image files in the repo)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (236, 240, 241))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 280, 200), outline=(44, 62, 80), width=4)
    draw.line((60, 180, 260, 80), fill=(192, 57, 43), width=6)
    draw.text((50, 20), f"scene {n + 1}", fill=(44, 62, 80))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"现场照片{n + 1}.png", buffer.getvalue(), content_type="image/png")


def _ensure_campaigns_and_operations():
    from qingyuan.campaigns.demo import load_demo_campaigns
    from qingyuan.operations.demo import load_demo_operations, load_demo_spotchecks

    users = list(User.objects.filter(username__in=[d[0] for d in DEMO_USERS]).select_related("unit__region"))
    load_demo_campaigns(Region.objects.get(code=CITY), _ensure_units(), users)
    load_demo_operations()
    load_demo_spotchecks()


def _ensure_reward_standard():
    from qingyuan.leads.demo import load_demo_reward_standard

    load_demo_reward_standard(CITY)


def _ensure_designation():
    # Last, on a border site no other demo record touches (operations.demo.load_demo_designation).
    from qingyuan.operations.demo import load_demo_designation

    load_demo_designation()


def _ensure_reports():
    from qingyuan.reports.demo import load_demo_reports

    load_demo_reports()


def _ensure_oversight():
    from qingyuan.oversight.demo import load_demo_oversight

    load_demo_oversight()


def _ensure_liaison():
    from qingyuan.liaison.demo import load_demo_liaison

    load_demo_liaison()


def _ensure_publication():
    from qingyuan.publication.demo import load_demo_publication

    load_demo_publication()


def _ensure_guidance():
    from qingyuan.guidance.demo import load_demo_guidance

    load_demo_guidance()


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Idempotent: creates what is missing, returns (username, role, unit) for the logins to print."""
    if not Region.objects.filter(code=CITY).exists():
        raise RuntimeError("请先运行 manage.py load_regions 加载全国行政区划")
    rng = random.Random(2024)
    _ensure_local_regions()
    units = _ensure_units()
    _ensure_users(units, demo_password())
    _ensure_registry(rng)
    _ensure_subjects(rng, User.objects.get(username="wz_chief"))
    _ensure_leads(User.objects.get(username="wz_clerk"))
    _ensure_reward_standard()
    _ensure_enforcement()
    _ensure_publication()
    _ensure_campaigns_and_operations()
    _ensure_liaison()
    _ensure_guidance()
    _ensure_reports()
    _ensure_oversight()
    _ensure_designation()
    return [
        (u.username, u.get_role_display(), str(u.unit))
        for u in User.objects.filter(username__in=[d[0] for d in DEMO_USERS])
        .select_related("unit")
        .order_by("id")
    ]
