"""First start of an empty installation: the region tree, the top unit and the three administrators.

createsuperuser does not fit this platform: it makes one all-powerful account (三员分立 forbids one)
with the default role 监督员, which the 执法证号 constraint refuses. Here each administrator gets the
role that needs no 执法证号 (系统管理员, 安全管理员, 审计管理员 are not inspectors), no Django staff or
superuser flag, a random one-time password that must be changed at first login, and, being an
administrator, must bind a TOTP authenticator before anything else (accounts.middleware).
"""

import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from qingyuan.core import audit
from qingyuan.regions.models import Level, Region, Unit, UnitKind
from qingyuan.regions.services import regions_load_national

from . import services
from .models import User
from .roles import Role

ADMIN_ORDER = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)
DEFAULT_USERNAMES = ("sysadmin", "secadmin", "auditadmin")
_SYMBOLS = "#%+-=@^_~"
_CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS)


class BootstrapRefused(Exception):
    """Why the installation cannot be initialised, in Chinese for the operator."""


@dataclass(frozen=True)
class Created:
    unit: Unit
    regions_loaded: bool
    accounts: list[tuple[User, str]]  # (account, one-time password)


def one_time_password(user=None) -> str:
    """18 random characters with every character class, accepted by the password validators."""
    alphabet = string.ascii_letters + string.digits + _SYMBOLS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(18))
        if not all(any(c in group for c in password) for group in _CLASSES):
            continue
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _check_usernames(usernames) -> list[str]:
    names = [name.strip() for name in usernames]
    if len(names) != 3 or len(set(names)) != 3 or not all(names):
        raise BootstrapRefused(
            "--usernames 须为三个不同的账号名（依次为系统管理员、安全管理员、审计管理员），以逗号分隔"
        )
    return names


@transaction.atomic
def system_bootstrap(
    *,
    region_code: str,
    unit_name: str,
    short: str = "",
    unit_kind: str = UnitKind.HEALTH_COMMISSION,
    usernames=DEFAULT_USERNAMES,
) -> Created:
    names = _check_usernames(usernames)
    unit_name = (unit_name or "").strip()
    if not unit_name:
        raise BootstrapRefused("--unit（单位全称）不能为空")
    # Checked inside the transaction: this command is for the empty database of a new installation
    # and must never add a second set of administrators beside existing accounts.
    if User.objects.exists():
        raise BootstrapRefused(
            f"数据库中已有 {User.objects.count()} 个用户账号，拒绝初始化：bootstrap 只用于尚无任何账号的新数据库。"
            "新增账号请由系统管理员在“用户管理”中操作。"
        )
    regions_loaded = False
    if not Region.objects.filter(level__lte=Level.COUNTY).exists():
        regions_load_national()
        regions_loaded = True
    region = Region.objects.filter(code=region_code, level__lte=Level.COUNTY, is_active=True).first()
    if region is None:
        raise BootstrapRefused(
            f"--region（区划代码）：区划代码“{region_code}”不存在，应为现行的省、市或区县代码"
        )
    unit = audit.save_with_audit(
        actor=None,
        model=Unit,
        data={"name": unit_name, "kind": unit_kind, "region": region},
    )
    if short:
        # The unit's short name is the one printed in its case numbers (吴卫医罚〔2024〕12号).
        from qingyuan.cases.models import CaseNumbering

        audit.save_with_audit(
            actor=None,
            model=CaseNumbering,
            data={"unit": unit, "abbr": short.strip()},
            region_of=lambda numbering: numbering.unit.region_id,
        )
    accounts = []
    for role, username in zip(ADMIN_ORDER, names, strict=True):
        data = {"username": username, "unit": unit, "role": role, "full_name": str(role.label)}
        password = one_time_password(User(**data))
        accounts.append((services.user_create(actor=None, data=data, initial_password=password), password))
    for directory in (settings.MEDIA_ROOT, settings.QINGYUAN_EVIDENCE_DIR):
        directory.mkdir(parents=True, exist_ok=True)
    return Created(unit=unit, regions_loaded=regions_loaded, accounts=accounts)
