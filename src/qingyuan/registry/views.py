from django.http import HttpResponse

from qingyuan.core.permissions import require_perm


@require_perm("registry.view")
def institution_list(request):
    return HttpResponse("")


@require_perm("registry.view")
def institution_detail(request, pk):
    return HttpResponse("")


@require_perm("registry.view")
def practitioner_list(request):
    return HttpResponse("")


@require_perm("registry.view")
def practitioner_detail(request, pk):
    return HttpResponse("")


@require_perm("registry.view")
def verify(request):
    return HttpResponse("")
