
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('cases', '0012_referral_two_way'),
        ('regions', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublicationEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='publication', to='cases.penaltydecision', verbose_name='处罚决定')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='区县')),
                ('status', models.CharField(choices=[('pending', '待公示'), ('published', '已公示'), ('withdrawn', '已撤回')], db_index=True, default='pending', max_length=16, verbose_name='状态')),
                ('number', models.CharField(max_length=100, verbose_name='决定书文号')),
                ('case_number', models.CharField(blank=True, max_length=60, verbose_name='案件编号')),
                ('party', models.CharField(max_length=200, verbose_name='当事人')),
                ('facts', models.TextField(verbose_name='主要违法事实')),
                ('legal_basis', models.TextField(verbose_name='处罚依据')),
                ('penalty', models.TextField(verbose_name='处罚内容')),
                ('authority', models.CharField(max_length=200, verbose_name='处罚机关')),
                ('decided_on', models.DateField(db_index=True, verbose_name='处罚决定日期')),
                ('served_on', models.DateField(verbose_name='送达日期')),
                ('due_on', models.DateField(verbose_name='公示期限')),
                ('published_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='公示时间')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='公示人')),
                ('withdrawn_on', models.DateField(blank=True, null=True, verbose_name='撤回日期')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
            ],
            options={
                'verbose_name': '处罚决定公示',
                'verbose_name_plural': '处罚决定公示',
                'ordering': ['-published_at', '-decided_on', '-pk'],
                'indexes': [],
                'constraints': [],
            },
        ),
        migrations.CreateModel(
            name='EntryChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='publication.publicationentry')),
                ('kind', models.CharField(choices=[('change', '变更'), ('withdraw', '撤回')], max_length=16, verbose_name='类型')),
                ('ground', models.CharField(choices=[('revoked', '本机关撤销处罚决定'), ('changed', '本机关变更处罚决定'), ('review_changed', '行政复议决定变更'), ('review_revoked', '行政复议决定撤销'), ('review_illegal', '行政复议决定确认违法'), ('court_changed', '人民法院判决变更'), ('court_revoked', '人民法院判决撤销'), ('court_illegal', '人民法院判决确认违法'), ('invalid', '确认无效'), ('error', '公示内容有误')], max_length=24, verbose_name='事由')),
                ('ground_on', models.DateField(help_text='撤销、复议决定或判决的日期', verbose_name='事由发生日期')),
                ('changed_on', models.DateField(verbose_name='变更/撤回日期')),
                ('note', models.CharField(max_length=500, verbose_name='说明')),
                ('before', models.JSONField(default=dict, verbose_name='变更前文本')),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': '公示变更记录',
                'verbose_name_plural': '公示变更记录',
                'ordering': ['changed_on', 'pk'],
                'indexes': [],
                'constraints': [],
            },
        ),
    ]

