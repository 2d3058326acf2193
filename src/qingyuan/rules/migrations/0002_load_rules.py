"""The offences and time limits of RULES.md, as version 1 of each.

Effective dates are those of the law each row rests on; where a row rests on two texts, the one
that sets the penalty or the period counts, and the note says so."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

D = dt.date
W = Decimal("10000")

# 基本医疗卫生与健康促进法 2020-06-01; 医疗机构管理条例(2022) 2022-05-01; 中医药法 2017-07-01;
# 医师法 2022-03-01; 乡村医生从业管理条例 2004-01-01; 护士条例 2008-05-12;
# 医疗美容服务管理办法 2002-05-01; 人口与计划生育法(2021) 2021-08-20; 母婴保健法实施办法 2001-06-20;
# 广告法(2015) 2015-09-01; 医疗广告管理办法 2007-01-01.
OFFENCES = [
    dict(
        code="ZY-01",
        name="未取得《医疗机构执业许可证》擅自执业",
        basis="基本医疗卫生与健康促进法 第99条第1款；医疗机构管理条例(2022) 第43条第1款",
        measures="责令停止执业活动；没收违法所得和药品、医疗器械；并处违法所得5倍以上20倍以下罚款，违法所得不足1万元的按1万元计算",
        fine_kind="multiple",
        multiplier_min=Decimal("5"),
        multiplier_max=Decimal("20"),
        income_floor=W,
        illegal_practice=True,
        effective_from=D(2020, 6, 1),
        note="罚款倍数由基本医疗卫生与健康促进法（2020年6月1日施行）规定；医疗机构管理条例2022年修订（2022年5月1日施行）与之一致。",
    ),
    dict(
        code="ZY-02",
        name="伪造、变造、买卖、出租、出借医疗机构执业许可证",
        basis="基本医疗卫生与健康促进法 第99条第2款；医疗机构管理条例(2022) 第45条",
        measures="责令改正；没收违法所得；并处违法所得5倍以上15倍以下罚款，违法所得不足1万元的按1万元计算；情节严重的，吊销医疗机构执业许可证",
        fine_kind="multiple",
        multiplier_min=Decimal("5"),
        multiplier_max=Decimal("15"),
        income_floor=W,
        effective_from=D(2020, 6, 1),
        note="罚款倍数由基本医疗卫生与健康促进法（2020年6月1日施行）规定。",
    ),
    dict(
        code="ZY-03",
        name="诊所未经备案执业",
        basis="医疗机构管理条例(2022) 第43条第2款",
        measures="责令改正；没收违法所得；并处3万元以下罚款；拒不改正的，责令停止执业活动",
        fine_kind="fixed",
        fine_min=Decimal("0"),
        fine_max=Decimal("30000"),
        effective_from=D(2022, 5, 1),
    ),
    dict(
        code="ZY-04",
        name="中医诊所应备案未备案或备案提供虚假材料",
        basis="中医药法 第56条",
        measures="责令改正；没收违法所得；并处3万元以下罚款；向社会公告相关信息；拒不改正的，责令停止执业活动",
        fine_kind="fixed",
        fine_min=Decimal("0"),
        fine_max=Decimal("30000"),
        effective_from=D(2017, 7, 1),
    ),
    dict(
        code="ZY-05",
        name="中医诊所超出备案范围",
        basis="中医药法 第54条",
        measures="责令改正；没收违法所得；并处1万元以上3万元以下罚款；情节严重的，责令停止执业活动",
        fine_kind="fixed",
        fine_min=W,
        fine_max=Decimal("30000"),
        effective_from=D(2017, 7, 1),
    ),
    dict(
        code="ZY-06",
        name="超出登记或备案范围诊疗",
        basis="医疗机构管理条例(2022) 第46条",
        measures="警告；责令改正；没收违法所得；可以并处1万元以上10万元以下罚款；情节严重的，吊销医疗机构执业许可证或者责令停止执业活动",
        fine_kind="fixed",
        fine_min=W,
        fine_max=Decimal("100000"),
        fine_optional=True,
        effective_from=D(2022, 5, 1),
    ),
    dict(
        code="ZY-07",
        name="使用非卫生技术人员从事医疗卫生技术工作",
        basis="医疗机构管理条例(2022) 第47条",
        measures="责令限期改正；可以处1万元以上10万元以下罚款；情节严重的，吊销医疗机构执业许可证或者责令停止执业活动",
        fine_kind="fixed",
        fine_min=W,
        fine_max=Decimal("100000"),
        fine_optional=True,
        effective_from=D(2022, 5, 1),
    ),
    dict(
        code="ZY-08",
        name="出具虚假证明文件",
        basis="医疗机构管理条例(2022) 第48条",
        measures="警告；对造成危害后果的，可以处1万元以上10万元以下罚款",
        fine_kind="fixed",
        fine_min=W,
        fine_max=Decimal("100000"),
        fine_optional=True,
        effective_from=D(2022, 5, 1),
        note="罚款以造成危害后果为前提。",
    ),
    dict(
        code="YS-01",
        name="非医师行医",
        basis="医师法 第59条",
        measures="责令停止非法执业活动；没收违法所得和药品、医疗器械；并处违法所得2倍以上10倍以下罚款，违法所得不足1万元的按1万元计算",
        fine_kind="multiple",
        multiplier_min=Decimal("2"),
        multiplier_max=Decimal("10"),
        income_floor=W,
        illegal_practice=True,
        effective_from=D(2022, 3, 1),
    ),
    dict(
        code="YS-02",
        name="医师未按注册的执业地点、执业类别、执业范围执业",
        basis="医师法 第57条",
        measures="责令改正；给予警告；没收违法所得；并处1万元以上3万元以下罚款；情节严重的，责令暂停6个月以上1年以下执业活动直至吊销医师执业证书",
        fine_kind="fixed",
        fine_min=W,
        fine_max=Decimal("30000"),
        effective_from=D(2022, 3, 1),
    ),
    dict(
        code="YS-03",
        name="伪造、变造、买卖、出租、出借医师执业证书",
        basis="医师法 第54条第3款",
        measures="责令改正；没收违法所得；并处违法所得2倍以上5倍以下罚款，违法所得不足1万元的按1万元计算；情节严重的，吊销医师执业证书",
        fine_kind="multiple",
        multiplier_min=Decimal("2"),
        multiplier_max=Decimal("5"),
        income_floor=W,
        effective_from=D(2022, 3, 1),
    ),
    dict(
        code="XC-01",
        name="未经注册在村医疗卫生机构从事医疗活动",
        basis="乡村医生从业管理条例 第42条",
        measures="予以取缔；没收违法所得以及药品、医疗器械；违法所得5000元以上的，并处违法所得1倍以上3倍以下罚款；没有违法所得或者违法所得不足5000元的，并处1000元以上3000元以下罚款",
        fine_kind="threshold",
        multiplier_min=Decimal("1"),
        multiplier_max=Decimal("3"),
        income_threshold=Decimal("5000"),
        fine_min=Decimal("1000"),
        fine_max=Decimal("3000"),
        illegal_practice=True,
        effective_from=D(2004, 1, 1),
    ),
    dict(
        code="XC-02",
        name="乡村医生超范围执业、超目录用药",
        basis="乡村医生从业管理条例 第38条",
        measures="责令限期改正，给予警告；逾期不改正的，责令暂停3个月以上6个月以下执业活动；情节严重的，暂扣乡村医生执业证书",
        fine_kind="none",
        effective_from=D(2004, 1, 1),
    ),
    dict(
        code="HS-01",
        name="允许未取得护士执业证书的人员从事护理活动",
        basis="护士条例 第28条",
        measures="责令限期改正，给予警告；逾期不改正的，核减诊疗科目或者暂停6个月以上1年以下执业活动",
        fine_kind="none",
        effective_from=D(2008, 5, 12),
        note="护士条例2008年5月12日施行，2020年修订；本条处罚种类按RULES.md所载。",
    ),
    dict(
        code="MR-01",
        name="非法医疗美容",
        basis="医疗美容服务管理办法（罚则条号未核实）",
        measures="不单独处罚，按事实分别适用：无许可证（ZY-01）、非医师（YS-01）、超范围（ZY-06）、使用非卫生技术人员（ZY-07）",
        fine_kind="none",
        applies_codes="ZY-01,YS-01,ZY-06,ZY-07",
        illegal_practice=True,
        unverified=True,
        effective_from=D(2002, 5, 1),
        note="医疗美容服务管理办法2002年5月1日施行、2016年修订；罚则条号未见原文，待核实。",
    ),
    dict(
        code="LF-01",
        name="“两非”、非法施行计划生育手术",
        basis="人口与计划生育法(2021) 第39条、第40条",
        measures="责令改正；给予警告；没收违法所得；违法所得1万元以上的，处违法所得2倍以上6倍以下罚款；没有违法所得或者违法所得不足1万元的，处1万元以上3万元以下罚款；情节严重的，吊销执业证书",
        fine_kind="threshold",
        multiplier_min=Decimal("2"),
        multiplier_max=Decimal("6"),
        income_threshold=W,
        fine_min=W,
        fine_max=Decimal("30000"),
        effective_from=D(2021, 8, 20),
    ),
    dict(
        code="LF-02",
        name="未取得母婴保健技术许可擅自开展产前诊断、终止妊娠手术",
        basis="母婴保健法实施办法 第40条",
        measures="给予警告；责令停止违法行为；没收违法所得；违法所得5000元以上的，并处违法所得3倍以上5倍以下罚款；没有违法所得或者违法所得不足5000元的，并处5000元以上2万元以下罚款",
        fine_kind="threshold",
        multiplier_min=Decimal("3"),
        multiplier_max=Decimal("5"),
        income_threshold=Decimal("5000"),
        fine_min=Decimal("5000"),
        fine_max=Decimal("20000"),
        illegal_practice=True,
        effective_from=D(2001, 6, 20),
        note="母婴保健法实施办法2001年6月20日施行，其后多次修订；本条罚款数额按RULES.md所载，修订日期待核实。",
    ),
    dict(
        code="GG-01",
        name="违法医疗广告",
        basis="广告法 第46条、第58条",
        measures="由市场监督管理部门依法处理；卫生健康部门移送，不予处罚",
        fine_kind="none",
        referral_only=True,
        effective_from=D(2015, 9, 1),
    ),
    dict(
        code="GG-02",
        name="医疗机构违反《医疗广告管理办法》",
        basis="医疗广告管理办法 第20条",
        measures="责令限期改正；给予警告；情节严重的，责令停业整顿、吊销有关诊疗科目直至吊销医疗机构执业许可证",
        fine_kind="none",
        effective_from=D(2007, 1, 1),
        note="未取得医疗机构执业许可证发布医疗广告的，按非法行医处罚（适用ZY-01）。",
    ),
]

# 行政处罚法 第85条: "二日、三日、五日、七日" are working days.
CHENGXU = "卫生健康行政处罚程序规定(2025)"
CHENGXU_FROM = D(2025, 6, 1)
CHENGXU_NOTE = "卫生健康行政处罚程序规定（国家卫生健康委令第13号）2025年6月1日施行。"
CHUFA = "行政处罚法"
CHUFA_FROM = D(2021, 7, 15)
CHUFA_NOTE = "行政处罚法2021年修订，2021年7月15日施行。"
YISONG = "行政执法机关移送涉嫌犯罪案件的规定"
YISONG_FROM = D(2001, 7, 9)
XINFANG_FROM = D(2022, 5, 1)

LIMITS = [
    ("CASE_OPEN", "线索核查后立案", 7, "working_days", f"{CHENGXU} 第32条", CHENGXU_FROM, CHENGXU_NOTE),
    ("CASE_OPEN_EXTENSION", "立案期限经批准延长", 7, "working_days", f"{CHENGXU} 第32条", CHENGXU_FROM, CHENGXU_NOTE),
    (
        "CASE_DECIDE",
        "自立案之日起作出处理决定",
        90,
        "days",
        f"{CHENGXU} 第42条；{CHUFA} 第60条",
        CHUFA_FROM,
        "听证、检测、检验、检疫、鉴定、专家论证、公告等时间不计入。" + CHUFA_NOTE,
    ),
    (
        "CASE_DECIDE_EXTENSION",
        "处理决定期限经批准延长",
        60,
        "days",
        f"{CHENGXU} 第42条",
        CHENGXU_FROM,
        CHENGXU_NOTE,
    ),
    (
        "CASE_DECIDE_COLLECTIVE",
        "经集体讨论决定再次延长",
        30,
        "days",
        f"{CHENGXU} 第42条",
        CHENGXU_FROM,
        CHENGXU_NOTE,
    ),
    ("SEIZURE_REPORT", "先行登记保存后报告负责人", 24, "hours", f"{CHENGXU} 第33条", CHENGXU_FROM, CHENGXU_NOTE),
    ("SEIZURE_HANDLE", "先行登记保存物品作出处理决定", 7, "working_days", f"{CHUFA} 第56条", CHUFA_FROM, CHUFA_NOTE),
    ("HEARING_REQUEST", "告知后提出听证要求", 5, "working_days", f"{CHUFA} 第64条", CHUFA_FROM, CHUFA_NOTE),
    (
        "HEARING_NOTICE",
        "举行听证前通知当事人",
        7,
        "working_days",
        f"{CHUFA} 第64条",
        CHUFA_FROM,
        "听证七日前通知；“七日”依第85条为工作日。" + CHUFA_NOTE,
    ),
    ("FINE_PAYMENT", "自收到处罚决定书之日起缴纳罚款", 15, "days", f"{CHUFA} 第67条", CHUFA_FROM, CHUFA_NOTE),
    (
        "COURT_ENFORCEMENT",
        "复议、诉讼期限届满后申请法院强制执行",
        3,
        "months",
        "行政强制法 第53条",
        D(2012, 1, 1),
        "",
    ),
    ("DEMAND_NOTICE", "催告书送达后申请强制执行", 10, "days", "行政强制法 第54条", D(2012, 1, 1), ""),
    ("APPEAL_REVIEW", "申请行政复议", 60, "days", "行政复议法 第20条", D(1999, 10, 1), "行政复议法2023年修订（修订前为第9条），期限未变。"),
    ("APPEAL_LITIGATION", "提起行政诉讼", 6, "months", "行政诉讼法 第46条", D(2015, 5, 1), "2015年5月1日起由三个月改为六个月。"),
    ("REFERRAL_DECIDE", "负责人决定是否移送涉嫌犯罪案件", 3, "working_days", f"{YISONG} 第5条", YISONG_FROM, ""),
    ("REFERRAL_TRANSFER", "批准移送后移送公安机关", 24, "hours", f"{YISONG} 第5条", YISONG_FROM, ""),
    ("REFERRAL_POLICE_DECIDE", "公安机关决定是否立案", 3, "working_days", f"{YISONG} 第8条", YISONG_FROM, ""),
    ("REFERRAL_REVIEW_REQUEST", "不予立案后提请复议", 3, "working_days", f"{YISONG} 第9条", YISONG_FROM, ""),
    ("JURISDICTION_DESIGNATE", "管辖争议由共同上级指定管辖", 7, "working_days", f"{CHENGXU} 第10条", CHENGXU_FROM, CHENGXU_NOTE),
    ("TIP_ASSIGN", "举报转送或交办", 15, "days", "信访工作条例 第22条", XINFANG_FROM, ""),
    ("TIP_CONCLUDE", "举报办结", 60, "days", "信访工作条例 第34条", XINFANG_FROM, ""),
    ("TIP_CONCLUDE_EXTENSION", "举报办结期限经批准延长", 30, "days", "信访工作条例 第34条", XINFANG_FROM, ""),
    (
        "TIP_CASE_NOTICE",
        "告知实名举报人立案结果",
        5,
        "working_days",
        "市场监督管理投诉举报处理暂行办法 第31条（参照）",
        D(2020, 1, 1),
        "卫生健康领域无明文规定，参照市场监管投诉举报办法。",
    ),
    ("TIME_BAR", "违法行为追责时效", 24, "months", f"{CHUFA} 第36条", D(1996, 10, 1), "自违法行为发生之日起计算；连续或继续状态的，自行为终了之日起计算。"),
    (
        "TIME_BAR_HARM",
        "涉及公民生命健康安全的追责时效",
        60,
        "months",
        f"{CHUFA} 第36条",
        CHUFA_FROM,
        "五年时效自2021年修订施行起适用。",
    ),
]


def load(apps, schema_editor):
    Offence = apps.get_model("rules", "Offence")
    TimeLimit = apps.get_model("rules", "TimeLimit")
    for row in OFFENCES:
        Offence.objects.create(version=1, **row)
    for code, name, amount, unit, basis, effective_from, note in LIMITS:
        TimeLimit.objects.create(
            code=code,
            version=1,
            name=name,
            amount=amount,
            unit=unit,
            basis=basis,
            effective_from=effective_from,
            note=note,
        )


def unload(apps, schema_editor):
    apps.get_model("rules", "Offence").objects.filter(code__in=[o["code"] for o in OFFENCES], version=1).delete()
    apps.get_model("rules", "TimeLimit").objects.filter(code__in=[x[0] for x in LIMITS], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
