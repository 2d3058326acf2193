from django.core.management.base import BaseCommand, CommandError

from qingyuan.exchange import importing
from qingyuan.exchange.models import ExchangePeer


class Command(BaseCommand):
    help = "从外地平台拉取处罚信息共享记录（逐页验签、幂等）；不指定平台则拉取所有启用的平台"

    def add_arguments(self, parser):
        parser.add_argument("peer", nargs="?", help="对方平台名称")

    def handle(self, *args, peer=None, **options):
        if peer:
            found = ExchangePeer.objects.filter(name=peer).first()
            if found is None:
                raise CommandError(f"没有名为“{peer}”的共享平台")
            results = [(found, importing.pull(found))]
        else:
            results = importing.pull_all()
        failed = False
        for p, r in results:
            line = f"{p.name}：{r['pages']} 页，新增 {r['created']} 条，更新 {r['updated']} 条"
            if r["error"]:
                failed = True
                self.stderr.write(self.style.ERROR(f"{line}；错误：{r['error']}"))
            else:
                self.stdout.write(self.style.SUCCESS(line))
        if failed:
            raise CommandError("部分平台拉取失败，详见上方错误")
