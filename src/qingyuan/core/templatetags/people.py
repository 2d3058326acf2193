"""{% load people %} {{ user|person }}: a person as users know them, by full name, never the login name."""

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    if user is None or user == "":
        return ""
    name = getattr(user, "full_name", None)
    if name:
        return name
    if hasattr(user, "username"):
        return "（未填姓名）"
    return str(user)


@register.filter
def actor(event) -> str:
    """Who did what an audit row or timeline event records: the person's name, or 系统 for the
    platform itself (a row keeps its login name only if the account is gone)."""
    user = getattr(event, "actor", None)
    if user is not None:
        return person(user)
    return getattr(event, "actor_name", "") or "系统"
