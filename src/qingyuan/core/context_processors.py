from django.urls import reverse

# (label, url name, permission) — the navigation a user sees follows their role.
NAVIGATION = [
    ("首页", "core:home", None),
    ("线索", "leads:list", "leads.view"),
    ("监督检查", "inspections:list", "inspections.view"),
    ("案件", "cases:list", "cases.view"),
    ("典型案例", "portal:typical_list", "cases.view"),
    ("专项行动", "campaigns:list", "campaigns.view"),
    ("联动执法与督查", "operations:list", "operations.view"),
    ("统计报表", "reports:index", "reports.view"),
    ("工作看板", "reports:dashboard", "reports.view"),
    ("监管对象", "subjects:list", "subjects.view"),
    ("医疗机构", "registry:institution_list", "registry.view"),
    ("执业人员", "registry:practitioner_list", "registry.view"),
    ("证照核验", "registry:verify", "registry.view"),
    ("法律规则", "rules:list", "rules.view"),
    ("行政区划", "regions:list", "regions.view"),
    ("单位", "regions:unit_list", "units.view"),
    ("用户", "accounts:user_list", "users.view"),
    ("工作日", "core:workdays", "settings.manage"),
    ("答复模板", "leads:templates", "leads.templates"),
    ("检查表", "inspections:checklists", "inspections.checklists"),
    ("文书模板", "cases:templates", "cases.templates"),
    ("审计日志", "core:audit_list", "audit.view"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for label, name, perm in NAVIGATION:
        if perm and not user.can(perm):
            continue
        url = reverse(name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
