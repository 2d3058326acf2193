from django.http import HttpResponse


def subject_list(request):
    return HttpResponse("")


def subject_edit(request, pk=None):
    return HttpResponse("")


def subject_detail(request, pk):
    return HttpResponse("")


def person_add(request, pk):
    return HttpResponse("")


def person_reveal(request, pk):
    return HttpResponse("")
