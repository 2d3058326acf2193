from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingyuan.accounts.bootstrap import DEFAULT_USERNAMES, BootstrapRefused, system_bootstrap
from qingyuan.regions.models import UnitKind


class Command(BaseCommand):
    help = (
        "新装系统首次启动：在没有任何用户的数据库上加载行政区划（如尚未加载）、建立本级单位和"
        "系统管理员、安全管理员、审计管理员三个账号，一次性密码只显示这一次"
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="本级单位所在区划代码（省、市或区县），如 320000")
        parser.add_argument("--unit", required=True, help="本级单位全称，如 江苏省卫生健康委员会")
        parser.add_argument("--short", default="", help="单位简称（案件编号中使用，如 苏卫）")
        parser.add_argument(
            "--kind",
            default=UnitKind.HEALTH_COMMISSION,
            choices=UnitKind.values,
            help="单位类型，默认 health_commission（卫生健康委/局）",
        )
        parser.add_argument(
            "--usernames",
            default=",".join(DEFAULT_USERNAMES),
            help="三个管理员账号名，依次为系统管理员、安全管理员、审计管理员（默认 sysadmin,secadmin,auditadmin）",
        )

    def handle(self, *args, region, unit, short, kind, usernames, **options):
        try:
            created = system_bootstrap(
                region_code=region.strip(),
                unit_name=unit,
                short=short,
                unit_kind=kind,
                usernames=usernames.split(","),
            )
        except BootstrapRefused as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if created.regions_loaded:
            self.stdout.write("已加载全国省、市、区县行政区划。")
        self.stdout.write(
            self.style.SUCCESS(
                f"已建立本级单位：{created.unit.name}（{created.unit.region}，{created.unit.region_id}）"
            )
        )
        self.stdout.write(
            "管理员账号（密码只显示这一次，请当面交给本人；首次登录须修改密码并绑定手机验证器）："
        )
        for user, password in created.accounts:
            self.stdout.write(f"  {user.username:<14} {user.get_role_display():<6} 一次性密码：{password}")
        self.stdout.write("登录后由系统管理员为业务人员开设账号，安全管理员授予角色与辖区。")
