"""Pages: the rules in force, each rule's versions, the fine calculator officers use, and the
forms with which an administrator adds a version (no code change needed to correct a rule)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from qingyuan.core.permissions import require_area_perm, require_perm

from . import selectors, services
from .fines import ranges_for
from .forms import FineCalculatorForm, OffenceVersionForm, ThresholdVersionForm, TimeLimitVersionForm
from .models import Offence, Threshold, TimeLimit


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_perm("rules.view")
def rule_index(request):
    raw = request.GET.get("on", "")
    on = _day(raw) or timezone.localdate()
    return render(
        request,
        "rules/index.html",
        {
            "title": "法律规则",
            "on": on,
            "bad_date": bool(raw) and _day(raw) is None,
            "offences": selectors.offences_in_force(on),
            "limits": selectors.limits_in_force(on),
            "thresholds": selectors.thresholds_in_force(on),
            "can_manage": request.user.can("rules.manage"),
        },
    )


def _versions(model, code):
    versions = list(model.objects.filter(code=code).order_by("-version"))
    if not versions:
        raise Http404
    today = timezone.localdate()
    current = next(
        (v for v in versions if v.effective_from <= today and (v.effective_to or today) >= today), None
    )
    return versions, current or versions[0]


def _calculate(code, form):
    data = form.cleaned_data
    on = data.get("on") or timezone.localdate()
    try:
        return {"ranges": ranges_for([code], data["income"], on), "on": on}
    except ValidationError as exc:
        form.add_error(None, exc)
        return {"on": on}


@require_perm("rules.view")
def offence_detail(request, code):
    versions, current = _versions(Offence, code)
    form = FineCalculatorForm(request.GET if "income" in request.GET else None)
    result = _calculate(code, form) if form.is_bound and form.is_valid() else None
    context = {
        "title": f"{current.code} {current.name}",
        "offence": current,
        "versions": versions,
        "form": form,
        "result": result,
        "can_manage": request.user.can("rules.manage"),
    }
    if request.htmx:
        return render(request, "rules/_fine.html", context)
    return render(request, "rules/offence_detail.html", context)


@require_perm("rules.view")
def limit_detail(request, code):
    versions, current = _versions(TimeLimit, code)
    return render(
        request,
        "rules/limit_detail.html",
        {
            "title": current.name,
            "limit": current,
            "versions": versions,
            "can_manage": request.user.can("rules.manage"),
        },
    )


def _add_version(request, *, model, code, form_class, service, detail_url, what):
    versions, current = _versions(model, code)
    latest = versions[0]
    initial = {k: v for k, v in model_to_dict(latest, fields=form_class._meta.fields).items()}
    initial.pop("effective_from", None)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = service(actor=request.user, code=code, data=form.cleaned_data)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, messages_ in errors.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(
                request,
                f"已新增{what} {code} 第{new.version}版，自{new.effective_from:%Y-%m-%d}起适用",
            )
            return redirect(detail_url)
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": f"新增版本：{code} {latest.name}", "cancel_url": detail_url},
    )


@require_area_perm("rules.manage", "仅系统管理员可以修改法律规则")
def offence_version_add(request, code):
    return _add_version(
        request,
        model=Offence,
        code=code,
        form_class=OffenceVersionForm,
        service=services.offence_add_version,
        detail_url=reverse("rules:offence", args=[code]),
        what="违法行为",
    )


@require_area_perm("rules.manage", "仅系统管理员可以修改法律规则")
def limit_version_add(request, code):
    return _add_version(
        request,
        model=TimeLimit,
        code=code,
        form_class=TimeLimitVersionForm,
        service=services.time_limit_add_version,
        detail_url=reverse("rules:limit", args=[code]),
        what="法定时限",
    )


@require_perm("rules.view")
def threshold_detail(request, code):
    versions, current = _versions(Threshold, code)
    return render(
        request,
        "rules/threshold_detail.html",
        {
            "title": current.name,
            "threshold": current,
            "versions": versions,
            "can_manage": request.user.can("rules.manage"),
        },
    )


@require_area_perm("rules.manage", "仅系统管理员可以修改法律规则")
def threshold_version_add(request, code):
    versions, _current = _versions(Threshold, code)
    latest = versions[0]
    listed = isinstance(latest.value, list)
    initial = {
        "name": latest.name,
        "basis": latest.basis,
        "unverified": latest.unverified,
        "note": latest.note,
        ("kinds" if listed else "amount"): latest.value,
    }
    detail_url = reverse("rules:threshold", args=[code])
    form = ThresholdVersionForm(request.POST or None, initial=initial, listed=listed)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.THRESHOLD_FIELDS}
        try:
            new = services.threshold_add_version(actor=request.user, code=code, data=data)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            value_field = "kinds" if listed else "amount"
            for field, messages_ in errors.items():
                target = value_field if field == "value" else field
                form.add_error(target if target in form.fields else None, messages_)
        else:
            messages.success(
                request,
                f"已新增处罚程序标准 {latest.name} 第{new.version}版，自{new.effective_from:%Y-%m-%d}起适用",
            )
            return redirect(detail_url)
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": f"新增版本：{latest.name}", "cancel_url": detail_url},
    )
