from django.core.management.base import BaseCommand

from qingyuan.core.demo import demo_password, load_demo


class Command(BaseCommand):
    help = "加载演示数据（苏州市：区县、乡镇村、单位、各角色用户、医疗机构与人员、监管对象），可重复执行"

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号（密码相同）："))
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<18} {role:<6} {unit}")
        self.stdout.write(f"  密码：{demo_password()}")
        self.stdout.write("  登录地址：http://127.0.0.1:8000/accounts/login/")
