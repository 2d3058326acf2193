"""Pages of 跨区授权: the list of grants a user may see, one grant, and its revocation."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qingyuan.core.permissions import require_perm
from qingyuan.subjects.models import Subject

from . import grants
from .models import GrantReason

STATE_CHOICES = [("", "全部"), ("current", "生效中"), ("ended", "已结束（到期或撤销）")]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "请填写撤销理由"},
    )


def _visible(user):
    return grants.grants_visible_to(user).select_related(
        "subject__region", "unit__region", "user__unit", "operation", "dispute", "granted_by", "revoked_by"
    )


def _row(grant, user):
    return {
        "grant": grant,
        "state": grants.grant_state(grant),
        "state_label": grants.STATE_LABELS[grants.grant_state(grant)],
    }


@require_perm("operations.view")
def grant_list(request):
    qs = _visible(request.user).order_by("-granted_at", "-pk")
    state = request.GET.get("state", "")
    reason = request.GET.get("reason", "")
    if reason in GrantReason.values:
        qs = qs.filter(reason=reason)
    rows = [_row(g, request.user) for g in qs]
    if state == "current":
        rows = [r for r in rows if r["state"] in (grants.ACTIVE, grants.PENDING)]
    elif state == "ended":
        rows = [r for r in rows if r["state"] in (grants.ENDED, grants.REVOKED)]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "operations/grant_list.html",
        {
            "title": "跨区授权",
            "page": page,
            "state": state,
            "reason": reason,
            "state_choices": STATE_CHOICES,
            "reason_choices": [("", "全部"), *GrantReason.choices],
        },
    )


@require_perm("operations.view")
def grant_detail(request, pk):
    grant = get_object_or_404(_visible(request.user), pk=pk)
    form = RevokeForm() if grants.may_revoke(grant, request.user) else None
    return _detail(request, grant, form)


def _detail(request, grant, form, status=200):
    return render(
        request,
        "operations/grant_detail.html",
        {
            "title": f"跨区授权：{grant.subject.name}",
            **_row(grant, request.user),
            "form": form,
            "revoke_reason": grants.revoke_reason(grant),
            # The site's page only when the user may open it (a revoked grant no longer opens it).
            "subject_visible": Subject.objects.visible_to(request.user).filter(pk=grant.subject_id).exists(),
        },
        status=status,
    )


@require_POST
@require_perm("operations.view")
def grant_revoke(request, pk):
    grant = get_object_or_404(_visible(request.user), pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        if not grants.may_revoke(grant, request.user):
            raise Http404
        return _detail(request, grant, form, status=400)
    try:
        # The service refuses (403) anyone but the granting level, whatever the page offered.
        grants.grant_revoke(actor=request.user, grant=grant, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for field, errors in (
            exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        ):
            form.add_error(field if field in form.fields else None, errors)
        return _detail(request, grant, form, status=400)
    messages.success(request, "已撤销该授权，已通知被授权方。")
    return redirect("operations:grant_detail", pk=grant.pk)
