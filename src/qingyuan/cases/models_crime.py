"""An officer's word on an earlier penalty found only by the party's name (解释 第2条(4)).

Two people may share a name, so a name-only match is never counted on its own: it is listed on the
case and an officer confirms (同一人, then it counts) or rejects it (不同人, then it never counts)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchVerdict(models.TextChoices):
    CONFIRMED = "confirmed", _("确认为同一人")
    REJECTED = "rejected", _("排除（不是同一人）")


class CrimeMatchReview(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="match_reviews")
    earlier = models.ForeignKey(
        "cases.Case", verbose_name=_("此前处罚案件"), on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(_("核实结论"), max_length=16, choices=MatchVerdict.choices)
    note = models.TextField(_("核实依据"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("处罚记录人工核实")
        verbose_name_plural = _("处罚记录人工核实")
        constraints = [
            models.UniqueConstraint(fields=["case", "earlier"], name="crime_match_review_once"),
        ]

    def __str__(self):
        return f"{self.get_verdict_display()}：{self.earlier_id}"
