"""The campaign page's section on joint operations, jurisdiction designations and spot checks."""

from django import template

from qingyuan.operations.models import JointOperation, JurisdictionDispute, SpotCheckPlan

register = template.Library()


@register.inclusion_tag("operations/_campaign_section.html")
def campaign_operations(campaign, user):
    """Operations and spot checks linked to the campaign or its plans; disputes raised in its region
    during its period (a designation belongs to whatever campaign is running where the site is)."""
    from qingyuan.campaigns.selectors import campaign_family

    if not user.can("operations.view"):
        # Their pages answer 404 to a role without the area (a department's liaison): no dead links.
        return {"hidden": True}
    family = campaign_family(campaign)
    prefix = campaign.region.prefix  # a city 320500 covers codes starting 3205
    return {
        "operations": JointOperation.objects.visible_to(user)
        .filter(campaign_id__in=family)
        .select_related("unit")
        .order_by("-pk"),
        "spot_checks": SpotCheckPlan.objects.visible_to(user)
        .filter(campaign_id__in=family)
        .select_related("region")
        .order_by("-pk"),
        "disputes": JurisdictionDispute.objects.visible_to(user)
        .filter(
            subject__region__code__startswith=prefix,
            raised_on__gte=campaign.starts_on,
            raised_on__lte=campaign.ends_on,
        )
        .select_related("subject", "resolved_unit")
        .order_by("-raised_on"),
    }
