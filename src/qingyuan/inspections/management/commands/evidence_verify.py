from django.core.management.base import BaseCommand, CommandError

from qingyuan.inspections.services import verify_all


class Command(BaseCommand):
    help = "重新计算每个证据文件的SHA-256，列出被改动或缺失的文件；有问题时退出码为1"

    def handle(self, *args, **options):
        def report(evidence, reason):
            self.stdout.write(
                f"证据#{evidence.pk} {reason}：监管对象“{evidence.subject.name}”（#{evidence.subject_id}），"
                f"路径 {evidence.path}"
            )

        failed = verify_all(stdout_line=report)
        if failed:
            raise CommandError(f"证据文件校验发现 {len(failed)} 个问题文件", returncode=1)
        self.stdout.write(self.style.SUCCESS("证据文件校验完毕：全部完好"))
