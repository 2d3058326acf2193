"""Which checklist an inspection of a subject uses.

Mapping from the subject's kind (subjects.models.SubjectKind):
- 持证机构 whose registered institution is a 医院 → private_hospital (the 18 核心制度);
- 持证机构 of any other category (门诊部, 诊所, 医疗美容机构 …), 无证诊所 and 游医 → clinic (licence or
  filing, scope, staff, infusion filing, drugs: the points that decide illegal practice);
- 生活美容场所 → beauty_salon; 养生保健场所 → wellness;
- 其他 → an active "other" checklist if an administrator made one, else clinic.
"""

from qingyuan.registry.models import InstitutionCategory
from qingyuan.subjects.models import SubjectKind

from .models import ChecklistScope, ChecklistTemplate

_BY_KIND = {
    SubjectKind.UNLICENSED_CLINIC: ChecklistScope.CLINIC,
    SubjectKind.ITINERANT: ChecklistScope.CLINIC,
    SubjectKind.BEAUTY_SALON: ChecklistScope.BEAUTY_SALON,
    SubjectKind.WELLNESS: ChecklistScope.WELLNESS,
    SubjectKind.OTHER: ChecklistScope.OTHER,
}


def scope_for(subject) -> str:
    if subject.kind == SubjectKind.LICENSED:
        institution = subject.institution
        if institution is not None and institution.category == InstitutionCategory.HOSPITAL:
            return ChecklistScope.PRIVATE_HOSPITAL
        return ChecklistScope.CLINIC
    return _BY_KIND.get(subject.kind, ChecklistScope.OTHER)


def template_for(subject) -> ChecklistTemplate | None:
    scope = scope_for(subject)
    active = ChecklistTemplate.objects.filter(active=True)
    template = active.filter(applies_to=scope).order_by("id").first()
    if template is None and scope == ChecklistScope.OTHER:
        template = active.filter(applies_to=ChecklistScope.CLINIC).order_by("id").first()
    return template


def items_for(template):
    if template is None:
        return []
    return list(template.items.filter(active=True).order_by("order", "id"))
