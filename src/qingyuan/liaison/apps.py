from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    """The other departments' side of cooperation: what police, market regulation and the drug
    regulator receive and answer, and 情况通报 between departments."""

    name = "qingyuan.liaison"
    verbose_name = "部门协作"
