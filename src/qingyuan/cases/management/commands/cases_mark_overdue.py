"""Flag open cases past the opening (立案) or deciding (办案) limit and tell their officers and the
unit's chiefs once. Run daily; a second run the same day changes nothing."""

from django.core.management.base import BaseCommand

from qingyuan.cases.services import cases_mark_overdue


class Command(BaseCommand):
    help = "标记超过立案期限或办案期限的案件并通知承办人"

    def handle(self, *args, **options):
        flagged = cases_mark_overdue()
        self.stdout.write(f"新标记超期案件 {flagged} 件")
