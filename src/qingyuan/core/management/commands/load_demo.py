from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qingyuan.core.demo import demo_password, load_demo


class Command(BaseCommand):
    help = (
        "加载演示数据（苏州市：区县、乡镇村、单位、各角色用户、医疗机构与人员、监管对象），可重复执行；"
        "DEBUG 关闭时须加 --force"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="DEBUG 关闭时仍加载（演示环境、测试用生产栈）"
        )

    def handle(self, *args, force, **options):
        # Demo accounts with a printed password must not appear in a production database by a slip
        # (等保: no default accounts). The embedded setup counts as development: scripts/dev.sh runs
        # with QINGYUAN_DEV_KEYS=1 (settings.DEV_KEYS, the same marker that lets it generate its own
        # keys), so `make run` needs no extra flag and a server with real keys needs --force.
        if not (settings.DEBUG or settings.DEV_KEYS or force):
            raise CommandError(
                "拒绝加载演示数据：DEBUG 未开启，这可能是生产环境。演示数据含公开打印密码的演示账号；"
                "确需在此加载（演示环境）请加 --force。"
            )
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号（密码相同）："))
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<18} {role:<6} {unit}")
        self.stdout.write(f"  密码：{demo_password()}")
        self.stdout.write("  登录地址：http://127.0.0.1:8000/accounts/login/")
