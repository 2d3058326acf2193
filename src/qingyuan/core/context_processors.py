from django.urls import reverse

# (label, url name, permission, menu) — the navigation a user sees follows their role. Items with a
# menu go into that drop-down, so that the bar stays one line on an office screen.
REGISTERS = "登记与查询"
ADMIN = "基础数据与管理"
NAVIGATION = [
    ("首页", "core:home", None, ""),
    ("线索", "leads:list", "leads.view", ""),
    ("监督检查", "inspections:list", "inspections.view", ""),
    ("案件", "cases:list", "cases.view", ""),
    ("专项行动", "campaigns:list", "campaigns.view", ""),
    ("联动执法与督查", "operations:list", "operations.view", ""),
    ("挂牌督办", "oversight:list", "oversight.view", ""),
    ("部门协作", "liaison:index", "liaison.receive", ""),
    ("统计报表", "reports:index", "reports.view", ""),
    ("工作看板", "reports:dashboard", "reports.view", ""),
    ("监管对象", "subjects:list", "subjects.view", REGISTERS),
    ("医疗机构", "registry:institution_list", "registry.view", REGISTERS),
    ("执业人员", "registry:practitioner_list", "registry.view", REGISTERS),
    ("证照核验", "registry:verify", "registry.view", REGISTERS),
    ("典型案例", "portal:typical_list", "cases.view", REGISTERS),
    ("法律规则", "rules:list", "rules.view", REGISTERS),
    ("情况通报", "liaison:notices", "notices.view", REGISTERS),
    ("行政区划", "regions:list", "regions.view", ADMIN),
    ("单位", "regions:unit_list", "units.view", ADMIN),
    ("用户", "accounts:user_list", "users.view", ADMIN),
    ("工作日", "core:workdays", "settings.manage", ADMIN),
    ("处罚信息共享", "exchange:peers", "exchange.manage", ADMIN),
    ("答复模板", "leads:templates", "leads.templates", ADMIN),
    ("检查表", "inspections:checklists", "inspections.checklists", ADMIN),
    ("文书模板", "cases:templates", "cases.templates", ADMIN),
    ("办事指南", "guidance:list", "guidance.manage", ADMIN),
    ("审计日志", "core:audit_list", "audit.view", ADMIN),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items, menus = [], {}
    for label, name, perm, menu in NAVIGATION:
        if perm and not user.can(perm):
            continue
        url = reverse(name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        entry = {"label": label, "url": url, "active": active}
        if not menu:
            items.append(entry)
            continue
        if menu not in menus:
            menus[menu] = {"label": menu, "children": [], "active": False}
            items.append(menus[menu])
        menus[menu]["children"].append(entry)
        menus[menu]["active"] |= active
    return {"nav_items": items, "unread_notifications": _unread(user)}


def _unread(user) -> int:
    """The 通知 badge: one indexed count (notification_unread covers user and read_at)."""
    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()
