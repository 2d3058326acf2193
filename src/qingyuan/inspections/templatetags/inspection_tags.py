from django import template

from qingyuan.inspections import selectors

register = template.Library()


@register.simple_tag
def subject_inspections(subject, user):
    """The 监督检查 section of a subject's page: `{% subject_inspections subject user as section %}`;
    None for roles that may not see inspections."""
    if not user.can("inspections.view"):
        return None
    return {
        "items": list(selectors.subject_inspections(subject, user)[:50]),
        "can_add": user.can("inspections.edit"),
    }
