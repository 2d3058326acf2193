"""The administrative tree (GB/T 2260 down to county, statistical codes below) and the units in it."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("区县")
    TOWNSHIP = 4, _("乡镇/街道")
    VILLAGE = 5, _("村/社区")


# How many leading digits of a code identify a node of each level: the subtree of a node is
# every code starting with its prefix, so one indexed LIKE 'prefix%' answers "this and below".
PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}


class UrbanRuralClass(models.TextChoices):
    MAIN_URBAN = "111", _("主城区")
    URBAN_FRINGE = "112", _("城乡结合区")
    TOWN_CENTRE = "121", _("镇中心区")
    TOWN_FRINGE = "122", _("镇乡结合区")
    SPECIAL = "123", _("特殊区域")
    TOWNSHIP_CENTRE = "210", _("乡中心区")
    VILLAGE = "220", _("村庄")


class LocationType(models.TextChoices):
    CITY_COMMUNITY = "city", _("城市社区")
    URBAN_FRINGE = "fringe", _("城乡结合部")
    RURAL = "rural", _("农村")


# RULES.md: the urban-rural class gives a site's default location type for the forms.
LOCATION_TYPE_BY_CLASS = {
    "111": LocationType.CITY_COMMUNITY,
    "112": LocationType.URBAN_FRINGE,
    "121": LocationType.URBAN_FRINGE,
    "122": LocationType.URBAN_FRINGE,
    "123": LocationType.RURAL,
    "210": LocationType.RURAL,
    "220": LocationType.RURAL,
}


class Region(models.Model):
    """A node of the administrative tree; its code is the primary key so records filter by prefix."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    full_name = models.CharField(_("全称"), max_length=200, db_index=True)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    kind = models.CharField(
        _("类型"), max_length=16, blank=True, help_text=_("省、地级市、县级市、市辖区、镇、村委会等")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    prefix = models.CharField(_("辖区前缀"), max_length=12, db_index=True)
    urban_rural_class = models.CharField(
        _("城乡分类代码"), max_length=3, blank=True, choices=UrbanRuralClass.choices
    )
    aliases = models.CharField(_("别名"), max_length=200, blank=True, help_text=_("以逗号分隔，用于地址识别"))
    is_active = models.BooleanField(_("现行"), default=True)
    retired_on = models.DateField(
        _("撤销日期"), null=True, blank=True, help_text=_("代码撤销后仍保留，旧记录继续有效")
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        self.prefix = self.prefix_for(self.code, self.level)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("regions:detail", args=[self.code])

    @staticmethod
    def prefix_for(code: str, level: int) -> str:
        return code[: PREFIX_LENGTH[level]]

    @property
    def default_location_type(self) -> str:
        return LOCATION_TYPE_BY_CLASS.get(self.urban_rural_class, "")

    def ancestors(self) -> list["Region"]:
        """From the province down to this node (inclusive)."""
        codes = [self.code[:n].ljust(6, "0") if n <= 6 else self.code[:n] for n in (2, 4, 6, 9, 12)]
        codes = [c for c in dict.fromkeys(codes) if len(c) <= len(self.code)]
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [found[c] for c in codes if c in found]

    def subtree(self):
        return Region.objects.filter(code__startswith=self.prefix)


class UnitKind(models.TextChoices):
    HEALTH_COMMISSION = "health_commission", _("卫生健康委/局")
    SUPERVISION_INSTITUTE = "supervision", _("卫生监督所/执法支队")
    TOWNSHIP_HOSPITAL = "township_hospital", _("卫生院")
    TOWNSHIP_HEALTH_OFFICE = "township_office", _("卫健办")
    POLICE = "police", _("公安局/派出所")
    MARKET_REGULATION = "market", _("市场监管局/所")
    JUSTICE = "justice", _("司法所")
    PUBLICITY = "publicity", _("宣传办")
    TCM_BUREAU = "tcm", _("中医药局")
    OTHER = "other", _("其他")


class Unit(models.Model):
    """An organisation attached to a region; its users act within that region's subtree."""

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=32, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="unit_unique_name_in_region",
                violation_error_message=_("该区划下已有同名单位"),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:unit_detail", args=[self.pk])
