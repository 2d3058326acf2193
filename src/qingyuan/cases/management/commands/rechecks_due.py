from django.core.management.base import BaseCommand

from qingyuan.cases.rechecks import REMIND_DAYS, rechecks_remind


class Command(BaseCommand):
    help = f"提醒承办单位{REMIND_DAYS}日内到期和已超期的复查、回头看（每日定时执行；重复执行不会重复提醒）"

    def handle(self, *args, **options):
        sent = rechecks_remind()
        self.stdout.write(self.style.SUCCESS(f"发送提醒 {sent} 条"))
