"""The project's addresses plus one that fails, to see the 500 answer under /api/."""

from django.urls import path

from qingyuan.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a failure")


urlpatterns = [path("api/boom/", boom), *urlpatterns]
