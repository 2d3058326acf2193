"""Reward standards (举报奖励标准) per region with version history, the reward's approval workflow
(status, reviewer) and the claimant of an anonymous tip's reward (encrypted identity)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import qingyuan.core.crypto


def set_existing_status(apps, schema_editor):
    """Rewards decided before the workflow were granted or refused outright, with no approval step."""
    Reward = apps.get_model("leads", "Reward")
    Reward.objects.filter(decision="refused").update(status="not_granted")
    Reward.objects.filter(decision="granted", paid_at__isnull=False).update(status="paid")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0005_feedback_delivery_satisfaction"),
        ("regions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reward",
            name="review_note",
            field=models.TextField(blank=True, verbose_name="审批意见"),
        ),
        migrations.AddField(
            model_name="reward",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="审批时间"),
        ),
        migrations.AddField(
            model_name="reward",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审批人",
            ),
        ),
        migrations.AddField(
            model_name="reward",
            name="status",
            field=models.CharField(
                choices=[
                    ("proposed", "待领导审批"),
                    ("approved", "已批准待支付"),
                    ("refused", "审批未同意"),
                    ("not_granted", "不予奖励"),
                    ("paid", "已支付"),
                ],
                db_index=True,
                default="approved",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.CreateModel(
            name="RewardClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", qingyuan.core.crypto.EncryptedTextField(verbose_name="姓名")),
                ("id_number", qingyuan.core.crypto.EncryptedTextField(verbose_name="身份证号")),
                ("phone", qingyuan.core.crypto.EncryptedTextField(verbose_name="联系电话")),
                (
                    "bank_account",
                    qingyuan.core.crypto.EncryptedTextField(blank=True, verbose_name="收款银行账号"),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                (
                    "lead",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reward_claim",
                        to="leads.lead",
                        verbose_name="线索",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
            ],
            options={
                "verbose_name": "奖励申领人",
                "verbose_name_plural": "奖励申领人",
            },
        ),
        migrations.CreateModel(
            name="RewardStandard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(db_index=True, max_length=40, verbose_name="代码")),
                ("version", models.PositiveSmallIntegerField(default=1, verbose_name="版本")),
                ("basis", models.CharField(blank=True, max_length=300, verbose_name="法律依据")),
                ("unverified", models.BooleanField(default=False, verbose_name="条文未核实")),
                ("effective_from", models.DateField(verbose_name="生效日期")),
                ("effective_to", models.DateField(blank=True, null=True, verbose_name="失效日期")),
                ("note", models.TextField(blank=True, verbose_name="说明")),
                (
                    "category",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("unlicensed", "无证行医（黑诊所）"),
                            ("non_physician", "非医师行医"),
                            ("itinerant", "游医"),
                            ("aesthetic", "非法医疗美容"),
                            ("tcm_wellness", "以养生保健为名非法诊疗"),
                            ("licence_rental", "出租出借证照"),
                            ("sex_selection", "“两非”"),
                            ("advertising", "违法医疗广告"),
                            ("other", "其他"),
                        ],
                        help_text="留空为通用标准",
                        max_length=32,
                        verbose_name="问题类别",
                    ),
                ),
                (
                    "amount_min",
                    models.DecimalField(decimal_places=2, max_digits=10, verbose_name="每件最低金额（元）"),
                ),
                (
                    "amount_max",
                    models.DecimalField(
                        decimal_places=2, max_digits=10, verbose_name="每件标准最高金额（元）"
                    ),
                ),
                (
                    "cap",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="超过标准最高金额、不超过封顶金额的，须写明理由并经领导审批",
                        max_digits=10,
                        verbose_name="单件封顶金额（元）",
                    ),
                ),
                (
                    "approval_threshold",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="奖励金额超过此数的，由领导审批后方可支付",
                        max_digits=10,
                        verbose_name="须领导审批的金额（元）",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                        verbose_name="区划",
                    ),
                ),
            ],
            options={
                "verbose_name": "举报奖励标准",
                "verbose_name_plural": "举报奖励标准",
                "ordering": ["code", "-version"],
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="reward",
            name="standard",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rewards",
                to="leads.rewardstandard",
                verbose_name="适用标准",
            ),
        ),
        migrations.RunPython(set_existing_status, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="rewardstandard",
            constraint=models.UniqueConstraint(
                fields=("code", "version"), name="rewardstandard_code_version"
            ),
        ),
    ]
