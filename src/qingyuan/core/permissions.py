from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404


def require_perm(perm: str, *, forbidden: bool = False, message: str = ""):
    """Views for a role's area only. Others get 404, like records outside their jurisdiction; with
    `forbidden`, 403 instead, for areas whose existence is no secret (the rules every officer reads,
    the inspection and case pages) — records outside the jurisdiction still give 404 there."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.can(perm):
                if forbidden:
                    raise PermissionDenied(message)
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def require_area_perm(perm: str, message: str = ""):
    """require_perm answering 403 to a role without the area."""
    return require_perm(perm, forbidden=True, message=message)
