from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "备份：数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）、上传文件与证据文件，连同清单"
        "（manifest.json：迁移状态、主要表行数、所需密钥的编号与指纹、每个文件的 SHA-256）打成一个 tar 文件。"
        "密钥不在备份中，须另行保管"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="备份文件路径（以 .tar 或 .tar.gz 结尾；默认 当前目录/qingyuan-backup-日期-时间.tar），不覆盖已有文件",
        )

    def handle(self, *args, output, **options):
        path = Path(output or f"qingyuan-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar")
        try:
            manifest = create_backup(path, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        files = manifest["files"]
        size = path.stat().st_size
        audit.record(
            action=audit.AuditAction.EXPORT,
            target_type="core.backup",
            target_repr=f"备份 {path.name}"[:200],
            after={
                "file": path.name,
                "members": len(files),
                "database": manifest["database"]["engine"],
                "counts": manifest["counts"],
            },
        )
        counts = "，".join(f"{label} {n}" for label, n in manifest["counts"].items())
        self.stdout.write(f"主要表行数：{counts}")
        self.stdout.write(f"所需字段密钥：{', '.join(manifest['keys']['field_keys']) or '（无加密数据）'}")
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{path}（{size / 1024 / 1024:.1f} MB，{len(files)} 个成员，另含 manifest.json）"
            )
        )
