from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def require_perm(perm: str):
    """Views for a role's area only. Others get 404, like records outside their jurisdiction."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.can(perm):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
