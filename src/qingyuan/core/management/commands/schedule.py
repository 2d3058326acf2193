from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qingyuan.core import schedule
from qingyuan.core.models_schedule import RunOutcome, RunTrigger


class Command(BaseCommand):
    help = (
        "定时任务：list 列出全部定时任务（名称、说明、运行时间、上次运行）；"
        "run 名称… 或 run --all 立即在本进程中运行（每次运行都有记录，可重复执行）"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, title="操作")
        actions.add_parser("list", help="列出定时任务及上次运行情况")
        runner = actions.add_parser("run", help="立即运行定时任务")
        runner.add_argument("names", nargs="*", metavar="名称", help="如 leads.overdue_notify")
        runner.add_argument("--all", action="store_true", help="运行全部定时任务")

    def handle(self, *args, **options):
        jobs = schedule.load_all()
        if options["action"] == "list":
            self._list(jobs)
            return
        names = list(jobs) if options["all"] else options["names"]
        if not names or (options["all"] and options["names"]):
            raise CommandError("请给出定时任务名称，或用 --all 运行全部（二者取一）")
        unknown = [n for n in names if n not in jobs]
        if unknown:
            raise CommandError(f"没有名为 {'、'.join(unknown)} 的定时任务；manage.py schedule list 列出全部")
        failed = []
        for name in names:
            record = schedule.run(name, trigger=RunTrigger.MANUAL)
            line = f"{name}：{record.get_outcome_display()}，处理 {record.count}"
            if record.summary:
                line += f"，{record.summary}"
            if record.outcome == RunOutcome.FAILED:
                failed.append(name)
                self.stderr.write(self.style.ERROR(line))
            elif record.outcome == RunOutcome.ALERT:
                self.stdout.write(self.style.WARNING(line))
            else:
                self.stdout.write(self.style.SUCCESS(line))
        if failed:
            raise CommandError(f"{len(failed)} 个定时任务出错：{'、'.join(failed)}", returncode=1)

    def _list(self, jobs):
        latest = schedule.last_runs(jobs)
        for name, job in jobs.items():
            run = latest.get(name)
            if run is None:
                last = "尚未运行"
            else:
                started = timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M:%S")
                last = f"{started} {run.get_trigger_display()} {run.get_outcome_display()}，处理 {run.count}"
                if run.summary:
                    last += f"，{run.summary}"
            self.stdout.write(f"{name}\t{job.title}\t{job.when}（{job.cron}）\t上次：{last}")
