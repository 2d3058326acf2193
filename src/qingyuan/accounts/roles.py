"""Roles and what each may do, written once. A user holds exactly one role, which also keeps the
three administrator roles (三员分立) apart: no account can be both 系统管理员 and 审计管理员."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")
    LEADER = "leader", _("领导")
    CHIEF = "chief", _("科室负责人")
    INSPECTOR = "inspector", _("监督员")
    CLERK = "clerk", _("录入员")
    LIAISON = "liaison", _("联络员")
    SUPERVISOR = "supervisor", _("督查员")


ADMIN_ROLES = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR}

# Permissions are plain strings "<area>.<verb>". 系统管理员 manages accounts and settings and sees no
# case content (subjects, later leads and cases); 审计管理员 reads the audit log and nothing else.
PERMISSIONS: dict[str, set[str]] = {
    Role.SYSADMIN: {
        "rules.view",
        "rules.manage",
        "inspections.checklists",
        "cases.templates",
        "regions.view",
        "regions.manage",
        "units.view",
        "units.manage",
        "users.view",
        "users.manage",
        "registry.view",
        "registry.manage",
        "registry.import",
        "leads.templates",
        "settings.manage",
        "guidance.manage",
        "exchange.manage",
    },
    Role.SECADMIN: {"users.view", "users.grant", "units.view", "regions.view"},
    Role.AUDITOR: {"audit.view"},
    Role.LEADER: {
        "notices.view",
        "notices.send",
        "reports.view",
        "reports.submit",
        "reports.review",
        "operations.view",
        "operations.manage",
        "operations.designate",
        "spotchecks.manage",
        "campaigns.view",
        "campaigns.manage",
        "rules.view",
        "inspections.view",
        "evidence.view",
        "cases.view",
        "cases.approve",
        "cases.decide",
        "cases.override",
        "cases.legal_review",
        "regions.view",
        "units.view",
        "users.view",
        "registry.view",
        "subjects.view",
        "subjects.reveal",
        "leads.view",
        "leads.reporter",
        "leads.accept",
        "leads.assign",
        "leads.route",
        "leads.reward",
        "leads.reward_approve",
        "oversight.view",
        "oversight.manage",
        "oversight.report",
    },
    Role.CHIEF: {
        "notices.view",
        "notices.send",
        "reports.view",
        "reports.submit",
        "reports.review",
        "reports.import",
        "operations.view",
        "operations.nominate",
        "operations.dispute",
        "campaigns.view",
        "campaigns.manage",
        "campaigns.sweep",
        "rules.view",
        "inspections.view",
        "inspections.edit",
        "evidence.view",
        "evidence.add",
        "cases.view",
        "cases.edit",
        "cases.approve",
        "cases.legal_review",
        "regions.view",
        "units.view",
        "users.view",
        "registry.view",
        "registry.manage",
        "registry.import",
        "subjects.view",
        "subjects.edit",
        "subjects.reveal",
        "leads.view",
        "leads.register",
        "leads.reporter",
        "leads.accept",
        "leads.assign",
        "leads.route",
        "leads.answer",
        "leads.reward",
        "oversight.view",
        "oversight.manage",
        "oversight.report",
        "guidance.manage",
    },
    Role.INSPECTOR: {
        "reports.view",
        "operations.view",
        "campaigns.view",
        "campaigns.sweep",
        "rules.view",
        "inspections.view",
        "inspections.edit",
        "evidence.view",
        "evidence.add",
        "cases.view",
        "cases.edit",
        "regions.view",
        "units.view",
        "registry.view",
        "subjects.view",
        "subjects.edit",
        "subjects.reveal",
        "leads.view",
        "leads.register",
        "oversight.view",
    },
    Role.CLERK: {
        "reports.view",
        "reports.import",
        "campaigns.view",
        "campaigns.sweep",
        "rules.view",
        "inspections.view",
        "cases.view",
        "regions.view",
        "units.view",
        "registry.view",
        "registry.manage",
        "registry.import",
        "subjects.view",
        "subjects.edit",
        "leads.view",
        "leads.register",
    },
    # A department's 联络员 answers the referrals addressed to their unit, hands leads to the health
    # side (as a registered lead) and exchanges 情况通报 (liaison app).
    Role.LIAISON: {
        "registry.view",
        "campaigns.view",
        "campaigns.duty",
        "liaison.receive",
        "notices.view",
        "notices.send",
    },
    Role.SUPERVISOR: {
        "reports.view",
        "operations.view",
        "spotchecks.manage",
        "campaigns.view",
        "regions.view",
        "units.view",
        "registry.view",
        "subjects.view",
        "leads.view",
        "rules.view",
        "inspections.view",
        "cases.view",
        "oversight.view",
    },
}


def has_perm(user, perm: str) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return perm in PERMISSIONS.get(user.role, set())
