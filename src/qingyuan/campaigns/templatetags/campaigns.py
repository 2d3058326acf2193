"""{% load campaigns %}{% public_campaigns as items %}: the hotline and e-mail of published campaigns in force."""

from django import template

from qingyuan.campaigns.selectors import public_campaigns as _public_campaigns

register = template.Library()


@register.simple_tag
def public_campaigns(limit=5):
    return list(_public_campaigns(limit=limit))
