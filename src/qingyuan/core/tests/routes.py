"""Every URL pattern of the site as a concrete path, for the tests that walk them all (anonymous
access, security headers)."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE_ARGS = {"pk": "1", "code": "320506", "format": "json"}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}" if namespace else entry.name


def _concrete(route):
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_ARGS.get(m.group(1), "1"), route)
    path = path.lstrip("^").rstrip("$").replace("\\.", ".")
    if any(ch in path for ch in "()[]?*+\\"):
        return None  # a regex route (e.g. the API router's format suffixes); its plain twin is tested
    return "/" + path


def all_routes():
    """(path, name) of every URL pattern except Django's admin, sorted."""
    return sorted(
        {
            (_concrete(route), name)
            for route, name in _walk(get_resolver().url_patterns)
            if _concrete(route) and not route.startswith("django-admin")
        }
    )
