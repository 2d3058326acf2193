"""Every URL that accepts a write, posted to by every persona who may not make it: each is refused
(302 to the login page for the public, 403 or 404 otherwise) and nothing is written — no row of any
of the platform's tables, no audit row other than login records (SECURITY.md "Access control").

The URLs are found by walking the resolver, so a new page is in the matrix the day it is added; a
page whose records the matrix cannot yet make fails with a message saying what to add to objects_for.
The records are the demo data (core.demo), all in 吴中区, plus the few kinds the demo has none of.
"""

import inspect
import re
import time
from collections import Counter

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import ADMIN_ROLES
from qingyuan.core.models import AuditAction, AuditEvent

from .factories import load_demo_world

WUZHONG = "320506"

# Who posts, by demo account (core.demo.DEMO_USERS); None is the public, not logged in.
PERSONAS = {
    "公众": None,
    "相城区监督员": "xc_inspector1",
    "公安联络员": "police_liaison",
    "审计管理员": "auditor",
    "安全管理员": "security",
    "系统管理员": "admin",
    "督查员": "city_supervisor",
}

# Open to the public by design: nothing here writes a business record on behalf of an official.
PUBLIC = {
    "accounts:login": "登录页",
    "accounts:otp_verify": "两步验证的第二步，登录的一部分",
    "portal:tip": "公众举报表单（验证码、频率限制）",
    "portal:track": "公众凭查询码查询答复",
    "portal:tip_locate": "公众举报前显示定位结果，不写入",
}

# Writes every logged-in account makes on itself; they touch no business record.
OWN_ACCOUNT = {
    "accounts:logout": "退出登录",
    "accounts:password_change": "修改本人密码",
    "accounts:otp_setup": "绑定本人的手机验证器",
    "accounts:notification_settings": "本人的通知方式（电子邮箱、是否发邮件和短信）",
    "core:notifications_read_all": "把本人的通知全部标为已读",
    "api-token-rotate": "更换本人的接口令牌（管理员账号不能申请）",
}

# Account administration is tested in accounts/tests (test_user_admin, test_separation_of_duties):
# 三员分立 decides who may create, change and approve a change of whom, rules a one-permission-per-URL
# table cannot express.
ELSEWHERE = {
    "accounts:user_create",
    "accounts:user_edit",
    "accounts:change_approve",
    "accounts:change_reject",
}

# (URL name, persona) pairs that hold the permission for that write, with the permission.
PERMITTED = {
    ("regions:create", "系统管理员"): "regions.manage",
    ("regions:import", "系统管理员"): "regions.manage",
    ("regions:edit", "系统管理员"): "regions.manage",
    ("regions:unit_create", "系统管理员"): "units.manage",
    ("regions:unit_edit", "系统管理员"): "units.manage",
    ("registry:institution_create", "系统管理员"): "registry.manage",
    ("registry:institution_edit", "系统管理员"): "registry.manage",
    ("registry:practitioner_create", "系统管理员"): "registry.manage",
    ("registry:practitioner_edit", "系统管理员"): "registry.manage",
    ("registry:import", "系统管理员"): "registry.import",
    ("registry-institution-detail", "系统管理员"): "registry.manage（接口）",
    ("registry-practitioner-detail", "系统管理员"): "registry.manage（接口）",
    ("leads:templates", "系统管理员"): "leads.templates",
    ("core:workdays", "系统管理员"): "settings.manage（国务院节假日安排）",
    ("cases:templates", "系统管理员"): "cases.templates",
    ("rules:threshold_version_add", "系统管理员"): "rules.manage",
    ("leads:reward_standard_add", "系统管理员"): "rules.manage（举报奖励标准）",
    ("inspections:checklist_item_add", "系统管理员"): "inspections.checklists",
    ("inspections:checklist_item_edit", "系统管理员"): "inspections.checklists",
    ("inspections:checklist_toggle", "系统管理员"): "inspections.checklists",
    ("operations:spotcheck_create", "督查员"): "spotchecks.manage",
    # Member units of the leading group record their own publicity (campaigns.services.can_record);
    # the region is checked against the campaign and the liaison's jurisdiction.
    ("campaigns:outreach_add", "公安联络员"): "campaigns.duty",
    ("campaigns:media_add", "公安联络员"): "campaigns.duty",
    # A department's liaison hands leads to the health side and sends 情况通报 (liaison app).
    ("liaison:lead_transfer", "公安联络员"): "liaison.receive",
    ("liaison:notice_new", "公安联络员"): "notices.send",
    # Reading the reported person's phone is for whoever sees the lead, each reveal audited
    # (leads.services.reported_phone_reveal); POST only so that the reveal is deliberate.
    ("leads:reported_phone", "督查员"): "leads.view",
    # A county inspector registers leads, subjects and inspections in their own county: with no
    # record in the URL there is nothing of 吴中区 to refuse, and the service places the record.
    ("leads:create", "相城区监督员"): "leads.register（本辖区）",
    ("subjects:create", "相城区监督员"): "subjects.edit（本辖区）",
    ("inspections:create", "相城区监督员"): "inspections.edit（本辖区）",
    ("cases:create", "相城区监督员"): "cases.edit（本辖区）",
    # The city's administrator writes the guide of the city and its counties; the demo's pages are
    # the province's, which he may read but not change (guidance.services).
    ("guidance:create", "系统管理员"): "guidance.manage（本辖区）",
    # A sheet of national numbers: the service refuses each line outside the uploader's county.
    ("cases:national_import", "相城区监督员"): "cases.edit（本辖区）",
}

# Actions behind one URL pattern with an <action> part, each posted separately.
ACTIONS = {
    "leads:action": [
        "accept", "reject", "assign", "verify", "conclude", "answer", "close", "extend", "reroute",
        "duplicate", "reward", "payment",
    ],
    "cases:action": [
        "approve_open", "not_open", "to_review", "notify", "request_hearing", "end_hearing", "decide",
        "serve", "enforce", "close", "revoke", "transfer", "extend", "pause", "pause_end", "facts",
        "payment", "file", "national_entry", "evidence",
    ],
    "cases:recheck_action": ["complete", "link"],
    "operations:action": ["propose", "targets", "confirm", "close", "reopen", "evaluate", "revoke"],
    "operations:spotcheck_action": ["draw", "publish"],
    "portal:typical_action": ["review", "publish", "withdraw"],
    "publication:action": ["publish", "change", "withdraw"],
    "oversight:step": ["progress", "report", "accept", "return", "withdraw"],
    "oversight:rectification_step": ["rectify", "verify", "return"],
}  # fmt: skip


def _actions(name: str) -> list:
    from qingyuan.cases import followup_views

    if name == "cases:followup_action":
        return list(followup_views.CASE_ACTIONS)
    if name == "cases:referral_action":
        return list(followup_views.REFERRAL_ACTIONS)
    return ACTIONS.get(name, [None])


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}" if namespace else entry.name, entry


def _source(callback) -> str:
    texts, view = [], callback
    while view is not None:
        try:
            texts.append(inspect.getsource(view))
        except (OSError, TypeError):
            pass
        view = getattr(view, "__wrapped__", None)
    for cls in (getattr(callback, "cls", None), getattr(callback, "view_class", None)):
        if cls is not None:
            texts.append(inspect.getsource(cls))
    return "\n".join(texts)


_WRITES = re.compile(
    r"request\.POST|request\.FILES|require_POST|[\"']POST[\"']|def (post|create|update|destroy)\b"
)


def write_methods(callback) -> tuple:
    """The HTTP methods by which a view writes: those a DRF viewset routes, else POST for a page
    whose code reads a posted form."""
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return tuple(m for m in ("post", "put", "patch", "delete") if m in actions)
    return ("post",) if _WRITES.search(_source(callback)) else ()


def write_routes():
    """(route, URL name, write methods) of every pattern whose view accepts a write."""
    found = []
    for route, name, entry in _walk(get_resolver().url_patterns):
        if route.startswith("django-admin") or "(?P<format>" in route:
            continue  # Django's admin is for no persona (none is staff); format suffixes are twins
        methods = write_methods(entry.callback)
        if methods:
            found.append((route, name, methods))
    return sorted(set(found))


def _fill(route: str, values: dict) -> str:
    def one(match):
        key = match.group(1) or match.group(2)
        assert key in values, f"写操作矩阵：{route} 的参数 {key} 没有对应的记录，请在 objects_for 中补充"
        return str(values[key])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>", one, route)
    return "/" + path.replace("^", "").replace("$", "")


@pytest.fixture
def world(regions, monkeypatch):
    """The demo data, plus the records it has none of (a referral, a dispute, a spot check, a typical
    case), every one in 吴中区 so that the neighbouring county's inspector is an outsider."""
    from qingyuan.cases.models import Case, Recheck, Referral
    from qingyuan.guidance.models import GuidePage
    from qingyuan.inspections.models import ChecklistItem, Inspection
    from qingyuan.leads.models import Lead
    from qingyuan.operations.models import JointOperation, JurisdictionDispute, SpotCheckItem, SpotCheckPlan
    from qingyuan.oversight.models import RectificationItem, SupervisedItem
    from qingyuan.portal.models import PublishedCase
    from qingyuan.publication.models import PublicationEntry
    from qingyuan.registry.models import Institution, Practitioner
    from qingyuan.reports.models import Submission
    from qingyuan.subjects.models import Subject, SubjectPerson

    load_demo_world(regions, monkeypatch)
    chief = User.objects.get(username="wz_chief")
    case = Case.objects.filter(region__code__startswith=WUZHONG).order_by("pk").first()
    subject = Subject.objects.filter(region__code__startswith=WUZHONG).order_by("pk").first()
    today = timezone.localdate()
    referral = Referral.objects.create(
        case=case,
        target="police",
        target_unit="苏州市公安局吴中分局",
        reason="涉嫌非法行医罪",
        proposed_on=today,
        created_by=chief,
    )
    dispute = JurisdictionDispute.objects.create(
        subject=subject, reason="交界处", raised_by=chief, raised_on=today, due_on=today
    )
    dispute.counties.set([regions["wuzhong"], regions["city"].children.get(code="320581")])
    institution = Institution.objects.filter(region__code__startswith=WUZHONG).order_by("pk").first()
    plan = SpotCheckPlan.objects.create(
        unit=User.objects.get(username="wz_chief").unit,
        region=regions["wuzhong"],
        name="吴中区自查抽查",
        population="institutions",
        seed=7,
        created_by=chief,
    )
    item = SpotCheckItem.objects.create(plan=plan, institution=institution, county=regions["wuzhong"])
    typical = PublishedCase.objects.create(
        case=case, title="典型案例", body="某某非法行医案", region=regions["wuzhong"], proposed_by=chief
    )
    from qingyuan.cases.models_procedure import EvidenceHold

    hold = EvidenceHold.objects.create(
        case=case,
        subject=case.subject,
        held_at=timezone.now(),
        items="输液器",
        place="证物室",
        approved_by=chief,
        recorded_by=chief,
    )
    operation = JointOperation.objects.order_by("pk").first()
    from qingyuan.campaigns.models import Campaign, Duty, FormRequirement, Phase

    campaign = Campaign.objects.filter(region__code__startswith=WUZHONG).first() or Campaign.objects.first()
    checklist_item = ChecklistItem.objects.order_by("pk").first()
    values = {
        "lead": Lead.objects.filter(handling_unit__region__code__startswith=WUZHONG)
        .order_by("pk")
        .first()
        .pk,
        "subject": subject.pk,
        "person": SubjectPerson.objects.filter(subject__region__code__startswith=WUZHONG).first().pk,
        "inspection": Inspection.objects.filter(region__code__startswith=WUZHONG).first().pk,
        "case": case.pk,
        "referral": referral.pk,
        "recheck": Recheck.objects.filter(subject__region__code__startswith=WUZHONG).first().pk,
        "campaign": campaign.pk,
        "phase": Phase.objects.filter(campaign=campaign).first().pk,
        "requirement": FormRequirement.objects.filter(campaign=campaign).first().pk,
        "duty": Duty.objects.filter(campaign=campaign).first().pk,
        "operation": operation.pk,
        "group": operation.groups.first().pk,
        "target": operation.targets.first().pk,
        "dispute": dispute.pk,
        "plan": plan.pk,
        "plan_item": item.pk,
        "submission": Submission.objects.filter(region__code__startswith=WUZHONG).first().pk,
        "institution": institution.pk,
        "practitioner": Practitioner.objects.filter(region__code__startswith=WUZHONG).first().pk,
        "unit": chief.unit_id,
        "user": User.objects.get(username="wz_inspector1").pk,
        "template": checklist_item.template_id,
        "checklist_item": checklist_item.pk,
        "typical": typical.pk,
        # The demo's published decision of 吴中区 (publication.demo).
        "publication": PublicationEntry.objects.filter(decision__case__region__code__startswith=WUZHONG)
        .order_by("pk")
        .first()
        .pk,
        "hold": hold.pk,
        # 挂牌督办 and 督导 of 吴中区 by the city (oversight.demo).
        "supervision": SupervisedItem.objects.order_by("pk").first().pk,
        "visit": RectificationItem.objects.order_by("pk").first().finding.visit_id,
        "rectification": RectificationItem.objects.order_by("pk").first().pk,
        "guide_page": GuidePage.objects.order_by("pk").first().pk,
    }
    return values


def objects_for(name: str, world: dict) -> dict:
    """The URL arguments for each URL name, from the records in `world`."""
    by_area = {
        "leads": {"pk": world["lead"]},
        "subjects:edit": {"pk": world["subject"]},
        "subjects:person_add": {"pk": world["subject"]},
        "subjects:person_reveal": {"pk": world["person"]},
        "inspections:evidence_add": {"pk": world["inspection"]},
        "inspections:checklist_item_add": {"template_pk": world["template"]},
        "inspections:checklist_item_edit": {"template_pk": world["template"], "pk": world["checklist_item"]},
        "inspections:checklist_toggle": {"template_pk": world["template"]},
        "cases:action": {"pk": world["case"]},
        "cases:national_record": {"pk": world["case"]},
        "cases:followup_action": {"pk": world["case"]},
        "cases:referral_action": {"pk": world["referral"]},
        "cases:recheck_action": {"pk": world["recheck"]},
        "cases:record_new": {"pk": world["case"], "kind": "inquiry"},
        "cases:penalty_step": {"pk": world["case"], "action": "propose_penalty"},
        "cases:penalty_submit_review": {"pk": world["case"]},
        "cases:penalty_time_bar": {"pk": world["case"]},
        "cases:inspection_record_new": {"pk": world["inspection"], "kind": "inquiry"},
        "cases:hold_decide": {"pk": world["hold"]},
        "cases:enforcement_step": {"pk": world["case"], "action": "demand"},
        "campaigns:phase_edit": {"pk": world["phase"]},
        "campaigns:requirement_edit": {"pk": world["requirement"]},
        "campaigns:duty_edit": {"pk": world["duty"]},
        "campaigns:duty_complete": {"pk": world["duty"]},
        "campaigns": {"pk": world["campaign"]},
        "operations:dispute_detail": {"pk": world["dispute"]},
        "operations:spotcheck_record": {"pk": world["plan"], "item_pk": world["plan_item"]},
        "operations:spotcheck_action": {"pk": world["plan"]},
        "operations": {
            "pk": world["operation"],
            "group_pk": world["group"],
            "target_pk": world["target"],
        },
        "reports": {"pk": world["submission"], "code": "S003-A1"},
        "registry:institution_edit": {"pk": world["institution"]},
        "registry:practitioner_edit": {"pk": world["practitioner"]},
        "registry-institution-detail": {"pk": world["institution"]},
        "registry-practitioner-detail": {"pk": world["practitioner"]},
        "regions:unit_edit": {"pk": world["unit"]},
        "regions:edit": {"code": WUZHONG},
        "rules": {"code": "LARGE_FINE_CITIZEN"},
        "portal:typical_propose": {"case_pk": world["case"]},
        "portal:typical_action": {"pk": world["typical"]},
        "publication:action": {"pk": world["publication"]},
        "liaison:referral_step": {"pk": world["referral"], "action": "receipt"},
        "liaison:drug_source": {"pk": world["case"]},
        "oversight:step": {"pk": world["supervision"]},
        "oversight": {"pk": world["visit"], "item_pk": world["rectification"]},
        "guidance": {"pk": world["guide_page"], "number": 1},
    }
    return by_area.get(name) or by_area.get(name.split(":")[0], {})


def _counts(models) -> dict:
    return {m._meta.label: m._default_manager.count() for m in models}


def _client(username):
    client = Client()
    if username is None:
        return client
    user = User.objects.get(username=username)
    client.force_login(user)
    if user.role in ADMIN_ROLES:
        # As if the administrator had entered a valid two-factor code (conftest.login does the same).
        device = TOTPDevice.objects.get_or_create(user=user, name="测试", defaults={"confirmed": True})[0]
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


LOGIN_RECORDS = {AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.LOCKOUT, AuditAction.LOGOUT}


def _refused(persona, response) -> bool:
    if response.status_code == 302:
        return persona == "公众" and "/accounts/login/" in response["Location"]
    return response.status_code in (401, 403, 404, 405)


def test_every_write_is_refused_to_every_persona_without_the_permission(world):
    models = [m for m in apps.get_models() if m.__module__.startswith("qingyuan.") and m is not AuditEvent]
    clients = {persona: _client(username) for persona, username in PERSONAS.items()}
    cases, failures, skipped = 0, [], Counter()
    started = time.monotonic()
    routes = write_routes()
    for route, name, methods in routes:
        if name in PUBLIC or name in OWN_ACCOUNT or name in ELSEWHERE:
            skipped[name] += 1
            continue
        values = objects_for(name, world)
        actions = _actions(name)
        for action, method in ((a, m) for a in actions for m in methods):
            path = _fill(route, {**values, **({"action": action} if action else {})})
            for persona, client in clients.items():
                if (name, persona) in PERMITTED:
                    continue
                before = _counts(models)
                last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                cases += 1
                try:
                    if method == "post":
                        response = client.post(path, {})
                    else:  # the API's updates: JSON, as a client sends them
                        response = getattr(client, method)(path, "{}", content_type="application/json")
                except Exception as exc:  # noqa: BLE001 - a 500 is a failure of this matrix, with its cause
                    failures.append(f"{persona} {method.upper()} {path}: 500 {type(exc).__name__}: {exc}")
                    continue
                problems = []
                if not _refused(persona, response):
                    where = response.get("Location", "")
                    problems.append(f"未拒绝（{response.status_code} {where}）")
                after = _counts(models)
                changed = {k: after[k] - before[k] for k in after if after[k] != before[k]}
                if changed:
                    problems.append(f"写入了 {changed}")
                audit = list(
                    AuditEvent.objects.filter(pk__gt=last_audit)
                    .exclude(action__in=LOGIN_RECORDS)
                    .values_list("action", "target_type")
                )
                if audit:
                    problems.append(f"审计记录 {audit}")
                if problems:
                    failures.append(f"{persona} {method.upper()} {path}: {'；'.join(problems)}")
    print(
        f"写操作矩阵：{len(routes)} 个 URL 模式，{cases} 个（身份 × URL）组合，"
        f"{time.monotonic() - started:.1f} 秒；失败 {len(failures)}"
    )
    assert cases >= 300, cases
    assert not failures, "\n" + "\n".join(failures)
