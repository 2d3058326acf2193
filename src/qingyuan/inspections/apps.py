from django.apps import AppConfig
from django.core import checks


class InspectionsConfig(AppConfig):
    name = "qingyuan.inspections"
    verbose_name = "监督检查与证据"

    def ready(self):
        checks.register(check_evidence_dir, checks.Tags.security)


def check_evidence_dir(app_configs=None, **kwargs):
    """Evidence must never be reachable without the access-checked view (SECURITY.md: uploads stored
    outside the web root), so its directory may not lie inside a served one."""
    from pathlib import Path

    from django.conf import settings

    evidence = Path(settings.QINGYUAN_EVIDENCE_DIR).resolve()
    # MEDIA_ROOT is not served by any URL here (attachments go through views), so only static counts.
    served = [settings.STATIC_ROOT, *getattr(settings, "STATICFILES_DIRS", [])]
    errors = []
    for entry in served:
        path = Path(entry[1] if isinstance(entry, (tuple, list)) else entry).resolve()
        if evidence == path or path in evidence.parents:
            errors.append(
                checks.Error(
                    f"证据目录 {evidence} 位于对外服务的静态文件目录 {path} 之内",
                    hint="将 QINGYUAN_EVIDENCE_DIR 设到静态文件目录之外",
                    id="inspections.E001",
                )
            )
    return errors
