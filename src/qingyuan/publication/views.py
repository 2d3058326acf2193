"""Officers' pages of publication (login required): the list of entries in the jurisdiction, an
entry with its text, clocks and history, and the steps publish / change / withdraw (services)."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qingyuan.core.forms import StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.core.workdays import due_badge

from . import services
from .forms import ChangeForm, EntryTextForm, WithdrawForm
from .models import EntryStatus, Ground, PublicationEntry
from .selectors import revoked_withdraw_due
from .text import TEXT_FIELDS


class EntryFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=EntryStatus.choices)
    q = django_filters.CharFilter(label="文号或当事人", method="keyword", max_length=50)

    class Meta:
        model = PublicationEntry
        fields = []

    def keyword(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(number__icontains=value) | Q(party__icontains=value))


COLUMNS = [
    Column("决定书文号", lambda x: x.number, link=True),
    Column("当事人", lambda x: x.party),
    Column("处罚机关", lambda x: x.authority),
    Column("决定日期", lambda x: x.decided_on),
    Column("公示期限", lambda x: x.due_on),
    Column("状态", lambda x: x.get_status_display()),
    Column("公示日期", lambda x: x.published_at.date() if x.published_at else ""),
]


@register_list("publication.list", perm="cases.view")
def entry_list_source(user):
    rows = PublicationEntry.objects.visible_to(user).order_by("status", "due_on", "-pk")
    return ListSource(rows, EntryFilter, COLUMNS, "处罚决定公示")


@require_perm("cases.view")
def entry_list(request):
    return render_list(request, list_key="publication.list", template="publication/entry_list.html")


def _entry_for(request, pk) -> PublicationEntry:
    return get_visible_or_404(
        PublicationEntry.objects.select_related("decision__case", "region", "published_by"),
        request.user,
        pk=pk,
    )


def _texts(entry) -> dict:
    return {name: getattr(entry, name) for name in TEXT_FIELDS}


def _render(request, entry, *, publish_form=None, change_form=None, withdraw_form=None, status=200):
    steps = services.available(entry, request.user)
    revoked_due = revoked_withdraw_due(entry)
    case = entry.decision.case
    if "publish" in steps and publish_form is None:
        publish_form = EntryTextForm(initial=_texts(entry))
    if "change" in steps and change_form is None:
        change_form = ChangeForm(initial=_texts(entry), prefix="change")
    if "withdraw" in steps and withdraw_form is None:
        initial = {"ground": Ground.REVOKED_BY_AUTHORITY, "ground_on": case.closed_on} if revoked_due else {}
        withdraw_form = WithdrawForm(initial=initial, prefix="withdraw")
    context = {
        "title": f"处罚决定公示 {entry.number}",
        "entry": entry,
        "case": case,
        "fields": [(label, getattr(entry, name)) for name, label in TEXT_FIELDS.items()],
        "problems": services.text_problems(entry) if entry.status == EntryStatus.PENDING else {},
        "due_badge": due_badge(entry.due_on) if entry.status == EntryStatus.PENDING else None,
        "revoked_due": revoked_due,
        "revoked_badge": due_badge(revoked_due) if revoked_due else None,
        "publish_form": publish_form if "publish" in steps else None,
        "change_form": change_form if "change" in steps else None,
        "withdraw_form": withdraw_form if "withdraw" in steps else None,
        "changes": entry.changes.select_related("actor"),
    }
    return render(request, "publication/entry_detail.html", context, status=status)


@require_perm("cases.view")
def entry_detail(request, pk):
    return _render(request, _entry_for(request, pk))


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


FORMS = {"publish": (EntryTextForm, "", "publish_form"), "change": (ChangeForm, "change", "change_form")}
FORMS["withdraw"] = (WithdrawForm, "withdraw", "withdraw_form")
DONE = {
    "publish": "已在公众网站公示。",
    "change": "已变更公示内容，公众网站显示变更日期和说明。",
    "withdraw": "已撤回，公众网站只显示撤回的日期和事由。",
}


@require_POST
@require_perm("cases.approve")
def entry_action(request, pk, action):
    entry = _entry_for(request, pk)
    if action not in FORMS:
        raise Http404
    form_class, prefix, slot = FORMS[action]
    form = form_class(request.POST, prefix=prefix or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "publish":
                services.entry_publish(actor=request.user, entry=entry, values=data)
            elif action == "change":
                services.entry_change(
                    actor=request.user,
                    entry=entry,
                    values=data,
                    ground=data["ground"],
                    ground_on=data["ground_on"],
                    note=data["note"],
                )
            else:
                services.entry_withdraw(
                    actor=request.user,
                    entry=entry,
                    ground=data["ground"],
                    ground_on=data["ground_on"],
                    note=data["note"],
                )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, DONE[action])
            return redirect(entry.get_absolute_url())
    entry.refresh_from_db()
    return _render(request, entry, status=400, **{slot: form})
