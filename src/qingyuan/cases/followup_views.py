"""Pages for what follows a decision: referrals, judgments, crime criteria, re-inspections, look-backs."""

from django.http import HttpResponse

from qingyuan.core.permissions import require_perm


@require_perm("cases.view")
def followup_panel(request, pk):
    return HttpResponse("")
