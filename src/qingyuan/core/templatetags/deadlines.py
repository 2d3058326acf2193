"""{% load deadlines %} {{ lead.accept_due|due_badge }}: the green / amber / red deadline badge of UX.md."""

from django import template
from django.utils.html import format_html

from qingyuan.core import workdays

register = template.Library()


@register.filter
def due_badge(due, today=None):
    """A <span class="badge badge-due-…"> with 还剩N个工作日 / 今日到期 / 已超期N天; empty without a due day."""
    if not due:
        return ""
    badge = workdays.due_badge(due, today)
    if badge.title:
        return format_html(
            '<span class="badge {}" title="{}">{}</span>', badge.css_class, badge.title, badge.text
        )
    return format_html('<span class="badge {}">{}</span>', badge.css_class, badge.text)
