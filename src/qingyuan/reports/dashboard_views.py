from django.shortcuts import render

from qingyuan.core.permissions import require_perm


@require_perm("reports.view")
def dashboard(request):
    return render(request, "reports/dashboard.html", {})
