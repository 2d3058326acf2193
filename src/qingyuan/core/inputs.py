"""A query parameter with a NUL byte is refused before any view reads it.

PostgreSQL text cannot hold NUL (psycopg raises DataError, a 500), and views that read a search box
straight from request.GET would pass it on; forms already refuse it (Django's CharField), this covers
the rest in one place (SECURITY.md: every query parameter validated, never a 500).
"""

from django.http import HttpResponseBadRequest, JsonResponse


class RejectNulQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                shown = name.replace("\x00", "")
                message = f"查询参数“{shown}”含有不允许的空字符（%00）"
                if request.path.startswith("/api/"):
                    from qingyuan.api.errors import body

                    return JsonResponse(body(400, message, field=shown or None), status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
