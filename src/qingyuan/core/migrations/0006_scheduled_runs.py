from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_alter_auditevent_action"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScheduledNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200, verbose_name="提醒标识")),
                ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="发送时间")),
            ],
            options={
                "verbose_name": "定时提醒记录",
                "verbose_name_plural": "定时提醒记录",
                "constraints": [models.UniqueConstraint(fields=("key",), name="scheduled_notice_once")],
            },
        ),
        migrations.CreateModel(
            name="ScheduledRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="任务")),
                (
                    "trigger",
                    models.CharField(
                        choices=[("schedule", "定时"), ("manual", "手动")],
                        default="schedule",
                        max_length=16,
                        verbose_name="触发方式",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="开始时间")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("running", "运行中"),
                            ("ok", "完成"),
                            ("alert", "发现问题"),
                            ("failed", "出错"),
                        ],
                        default="running",
                        max_length=16,
                        verbose_name="结果",
                    ),
                ),
                ("count", models.PositiveIntegerField(default=0, verbose_name="处理数")),
                ("summary", models.CharField(blank=True, max_length=300, verbose_name="摘要")),
                ("error", models.TextField(blank=True, verbose_name="错误")),
            ],
            options={
                "verbose_name": "定时任务运行记录",
                "verbose_name_plural": "定时任务运行记录",
                "ordering": ["-started_at", "-pk"],
                "indexes": [models.Index(fields=["name", "-started_at"], name="scheduled_run_latest")],
            },
        ),
    ]
