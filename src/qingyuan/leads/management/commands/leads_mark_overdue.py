from django.core.management.base import BaseCommand

from qingyuan.leads.services import leads_mark_overdue


class Command(BaseCommand):
    help = "标记超期线索并通知承办人员（每日定时执行；重复执行不会重复标记或通知）"

    def handle(self, *args, **options):
        count = leads_mark_overdue()
        self.stdout.write(self.style.SUCCESS(f"新标记超期线索 {count} 条"))
