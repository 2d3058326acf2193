"""Seed 002: the checklists by subject type. Data, not code: 系统管理员 edits them afterwards."""

from django.db import migrations

CORE = "医疗质量安全核心制度要点（国卫医发〔2018〕8号）"
# RULES.md "Procedure facts": the 18 医疗质量安全核心制度, the checklist for private hospitals.
CORE_SYSTEMS = [
    "首诊负责", "三级查房", "会诊", "分级护理", "值班和交接班", "疑难病例讨论", "急危重患者抢救",
    "术前讨论", "死亡病例讨论", "查对", "手术安全核查", "手术分级管理", "新技术和新项目准入",
    "危急值报告", "病历管理", "抗菌药物分级管理", "临床用血审核", "信息安全管理",
]

CHECKLISTS = [
    ("民营医院医疗质量安全核心制度检查表", "private_hospital", [(f"{name}制度", CORE) for name in CORE_SYSTEMS]),
    (
        "诊所及行医场所检查表",
        "clinic",
        [
            ("执业许可证或备案凭证", "医疗机构管理条例"),
            ("执业范围与登记一致", "医疗机构管理条例"),
            ("人员资质（医师/护士执业证书）", "医师法；护士条例"),
            ("静脉输液备案", "地方静脉输液管理规定（条款 UNVERIFIED）"),
            ("药品和医疗器械来源与管理", "药品管理法；医疗器械监督管理条例"),
        ],
    ),
    (
        "生活美容场所检查表",
        "beauty_salon",
        [
            ("是否开展医疗美容项目（注射、激光、手术等）", "医疗美容服务管理办法"),
            ("操作人员是否具有医师/护士资质", "医师法；护士条例"),
            ("药品器械来源", "药品管理法；医疗器械监督管理条例"),
        ],
    ),
    (
        "养生保健场所检查表",
        "wellness",
        [
            ("是否宣称治疗疾病", "基本医疗卫生与健康促进法"),
            ("是否开展针刺、放血、输液等医疗行为", "医疗机构管理条例；医师法"),
            ("人员资质", "医师法；护士条例"),
        ],
    ),
]


def load(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    for name, applies_to, items in CHECKLISTS:
        if Template.objects.filter(applies_to=applies_to).exists():
            continue  # already loaded or replaced by an administrator
        template = Template.objects.create(name=name, applies_to=applies_to, active=True)
        Item.objects.bulk_create(
            Item(template=template, order=n, text=text, basis=basis) for n, (text, basis) in enumerate(items, 1)
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
