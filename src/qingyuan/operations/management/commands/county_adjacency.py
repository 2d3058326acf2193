"""Enter which counties border each other (the platform holds no map data).

manage.py county_adjacency --by city_leader 320506 320507 320508
    records 320506—320507 and 320506—320508 (the first code borders each of the others)
manage.py county_adjacency --by city_leader --remove 320506 320507
manage.py county_adjacency --list 3205
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingyuan.accounts.models import User
from qingyuan.operations import services
from qingyuan.operations.models import RegionAdjacency
from qingyuan.regions.models import Region


class Command(BaseCommand):
    help = "录入或删除区县相邻关系（对称，每对只存一次）"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="区县代码：第一个与其后每一个相邻")
        parser.add_argument("--by", help="操作人用户名（须有联动执法管理权限）")
        parser.add_argument("--remove", action="store_true", help="删除而非录入")
        parser.add_argument("--list", metavar="PREFIX", help="列出该区划前缀下的相邻关系")

    def handle(self, *args, codes, by, remove, list: str | None, **options):
        if list is not None:
            for row in RegionAdjacency.objects.filter(a__code__startswith=list).select_related("a", "b"):
                self.stdout.write(f"{row.a_id} {row.a.name} — {row.b_id} {row.b.name}")
            return
        if len(codes) < 2 or not by:
            raise CommandError("请给出至少两个区县代码和 --by 操作人")
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise CommandError(f"用户 {by} 不存在")
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise CommandError(f"区划代码不存在：{'、'.join(missing)}")
        first = found[codes[0]]
        try:
            for code in codes[1:]:
                if remove:
                    services.adjacency_remove(actor=actor, a=first, b=found[code])
                else:
                    services.adjacency_add(actor=actor, a=first, b=found[code])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        except PermissionDenied:
            raise CommandError(f"{by} 无权录入这些区县的相邻关系") from None
        self.stdout.write(self.style.SUCCESS("已删除" if remove else "已录入"))
