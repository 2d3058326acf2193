from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from qingyuan.core import audit
from qingyuan.core.crypto import PREFIX, EncryptedTextField, current_key_id, encrypt


class Command(BaseCommand):
    help = "用当前密钥（QINGYUAN_FIELD_KEYS 的第一个）重新加密所有敏感字段；之后可移除旧密钥"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size, **options):
        marker = f"{PREFIX}:{current_key_id()}:"
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            for field in fields:
                stale = model._base_manager.exclude(**{f"{field.attname}__startswith": marker}).exclude(
                    **{field.attname: ""}
                )
                count = 0
                with transaction.atomic():
                    for obj in stale.only("pk", field.attname).iterator(chunk_size=batch_size):
                        value = getattr(obj, field.attname)
                        model._base_manager.filter(pk=obj.pk).update(**{field.attname: encrypt(value)})
                        count += 1
                total += count
                if count:
                    self.stdout.write(f"{model._meta.label}.{field.name}：重新加密 {count} 条")
        audit.record(
            action=audit.AuditAction.UPDATE,
            target_type="core.fieldkey",
            target_repr="敏感字段密钥轮换",
            after={"key_id": current_key_id(), "rows": total},
        )
        self.stdout.write(self.style.SUCCESS(f"完成：共重新加密 {total} 个字段值"))
