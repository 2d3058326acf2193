"""A made-up case for each kind of document: what an uploaded template is rendered against before it
is accepted, and, flattened, the list of placeholders the templates page shows for that kind. A test
checks that each sample has exactly the keys the real context of its kind has."""

import copy

from ..models import DocumentKind

BASE = {
    "unit": "苏州市吴中区卫生健康委员会",
    "number": "吴卫罚告〔2026〕12号",
    "case": {
        "number": "吴卫医罚〔2026〕12号",
        "title": "未取得医疗机构执业许可证擅自执业案",
        "source": "线索",
        "offence_date": "2026年3月1日",
        "opened_on": "2026年3月9日",
        "officers": "张三（执法证号32050601001）、李四（执法证号32050601002）",
    },
    "party": {
        "name": "某某",
        "kind": "公民",
        "id_number": "320506199003070000",
        "address": "吴中区木渎镇金星村12号",
    },
    "subject": {"name": "金星村无证诊所", "address": "吴中区木渎镇金星村12号"},
    "today": "2026年5月20日",
}

OFFENCE = {
    "name": "未取得《医疗机构执业许可证》擅自执业",
    "basis": "《中华人民共和国基本医疗卫生与健康促进法》第九十九条第一款、《医疗机构管理条例》第四十三条第一款",
}
MEASURES = [
    {
        "kind": "罚款",
        "amount": "50,000.00",
        "amount_words": "伍万元整",
        "amount_text": "50,000.00元（人民币伍万元整）",
        "description": "",
        "text": "罚款50,000.00元（人民币伍万元整）",
        "ordinal": "（一）",
        "end": "；",
    },
    {
        "kind": "没收违法所得",
        "amount": "3,000.00",
        "amount_words": "叁仟元整",
        "amount_text": "3,000.00元（人民币叁仟元整）",
        "description": "",
        "text": "没收违法所得3,000.00元（人民币叁仟元整）",
        "ordinal": "（二）",
        "end": "。",
    },
]
MEASURES_TEXT = "罚款50,000.00元（人民币伍万元整）；没收违法所得3,000.00元（人民币叁仟元整）"
DISCRETION = {
    "kind": "从轻",
    "reason": "当事人初次违法，主动停止违法行为",
    "basis": "《中华人民共和国行政处罚法》第三十二条",
    "text": "鉴于当事人初次违法，主动停止违法行为，根据《中华人民共和国行政处罚法》第三十二条的规定，依法从轻处罚。",
}
PROPOSAL = {
    "facts": "经查，当事人自2026年3月起在金星村家中为村民输液，违法所得3,000元。",
    "offence": OFFENCE,
    "discretion": DISCRETION,
    "measures": MEASURES,
    "measures_text": MEASURES_TEXT,
}
RIGHTS = {
    "days": "五个工作日",
    "due": "2026年5月27日",
    "window": "收到本告知书之日起五个工作日内（即2026年5月27日前）",
    "hearing": True,
}
CONTACT = {"address": "吴中区东吴北路1号", "phone": "0512-00000000", "officers": BASE["case"]["officers"]}
REMEDIES = {
    "review_days": "六十日",
    "litigation_months": "六个月",
    "text": "如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。",
}
DECISION_REF = {
    "number": "吴卫罚决〔2026〕12号",
    "decided_on": "2026年5月20日",
    "served_on": "2026年5月22日",
    "measures_text": MEASURES_TEXT,
}
PROPOSAL_SUMMARY = {
    "version": "1",
    "facts": PROPOSAL["facts"],
    "offence": OFFENCE,
    "measures_text": MEASURES_TEXT,
}
DATE = "2026年5月20日"

EXTRA = {
    DocumentKind.SITE_RECORD: {
        "inspection": {
            "period": "2026年3月5日9时00分至2026年3月5日10时30分",
            "place": "吴中区木渎镇金星村12号",
            "kind": "明查",
            "officers": BASE["case"]["officers"],
            "persons_present": "某某",
            "findings": "现场见输液架两个、药品若干。",
            "outcome": "发现违法行为",
        },
        "items": [
            {"number": "1", "text": "是否取得医疗机构执业许可证", "result": "不符合", "note": "未取得"}
        ],
    },
    DocumentKind.INQUIRY: {
        "inquiry": {
            "person_name": "某某",
            "person_id_number": "320506199003070000",
            "person_phone": "13900000000",
            "person_address": "吴中区木渎镇金星村12号",
            "relation": "当事人",
            "started": "2026年3月5日10时40分",
            "ended": "2026年3月5日11时20分",
            "place": "金星村村委会",
            "officers": BASE["case"]["officers"],
            "content": "问：你是否取得医疗机构执业许可证？\n答：没有。",
        }
    },
    DocumentKind.HOLD_NOTICE: {
        "hold": {
            "held_at": "2026年3月5日10时00分",
            "goods": "输液架 2个\n头孢曲松钠 10支",
            "place": "吴中区卫生监督所物证室",
            "keeper": "王五",
            "approved_by": "孙志强",
            "officers": BASE["case"]["officers"],
        },
        "handle_days": "七个工作日",
        "date": "2026年3月5日",
    },
    DocumentKind.HOLD_DECISION: {
        "hold": {
            "held_at": "2026年3月5日10时00分",
            "goods": "输液架 2个\n头孢曲松钠 10支",
            "place": "吴中区卫生监督所物证室",
            "keeper": "王五",
            "approved_by": "孙志强",
            "officers": BASE["case"]["officers"],
            "number": "吴卫登保〔2026〕12号",
        },
        "decision": {"kind": "依法没收", "text": "上述物品予以没收。", "on": "2026年3月10日"},
        "date": "2026年3月10日",
    },
    DocumentKind.SUPERVISION_OPINION: {
        "order": {
            "content": "立即停止诊疗活动。",
            "basis": OFFENCE["basis"],
            "correct_by": "2026年3月6日",
            "officers": BASE["case"]["officers"],
            "issued_on": "2026年3月5日",
        },
        "date": "2026年3月5日",
    },
    DocumentKind.OPENING_APPROVAL: {
        "facts": PROPOSAL["facts"],
        "offences": [OFFENCE],
        "illegal_income": "3,000.00元（人民币叁仟元整）",
        "proposed_by": "张三",
        "proposed_on": "2026年3月6日",
        "opened_by": "孙志强",
        "opened_on": "2026年3月9日",
        "approval": "同意立案。",
    },
    DocumentKind.PRIOR_NOTICE: {
        "proposal": PROPOSAL,
        "evidence": ["现场笔录：2026年3月5日现场检查", "询问笔录：当事人陈述"],
        "no_penalty": False,
        "rights": RIGHTS,
        "contact": CONTACT,
        "date": DATE,
    },
    DocumentKind.HEARING_RIGHTS: {"proposal": PROPOSAL, "rights": RIGHTS, "contact": CONTACT, "date": DATE},
    DocumentKind.HEARING_NOTICE: {
        "hearing": {
            "requested_on": "2026年5月22日",
            "at": "2026年6月5日9时30分",
            "place": "吴中区卫生健康委员会听证室",
            "host": "赵六",
            "clerk": "钱七",
            "public": "公开",
        },
        "date": "2026年5月25日",
    },
    DocumentKind.STATEMENT_RECORD: {
        "statement": {
            "at": "2026年5月22日14时00分",
            "place": "吴中区卫生监督所",
            "speaker": "某某",
            "content": "我是初次行医，家庭困难，请求从轻处罚。",
            "officers": BASE["case"]["officers"],
            "adoption": "部分采纳",
            "adoption_reason": "初次违法属实。",
        }
    },
    DocumentKind.LEGAL_REVIEW: {
        "proposal": PROPOSAL_SUMMARY,
        "review": {
            "submitted_by": "张三",
            "submitted_on": "2026年5月12日",
            "reviewers": "周八",
            "reviewed_on": "2026年5月14日",
            "opinion": "事实清楚，证据确凿，适用依据正确，程序合法，处罚适当。",
            "conclusion": "同意",
        },
        "date": "2026年5月14日",
    },
    DocumentKind.DISCUSSION: {
        "proposal": PROPOSAL_SUMMARY,
        "discussion": {
            "held_on": "2026年5月15日",
            "place": "第一会议室",
            "chair": "孙志强",
            "participants": "孙志强、赵六、周八",
            "recorder": "钱七",
            "opinions": "孙志强：同意拟处罚意见。",
            "conclusion": "同意拟处罚意见",
            "conclusion_text": "按拟处罚意见作出决定。",
        },
        "date": "2026年5月15日",
    },
    DocumentKind.DECISION: {
        "facts": PROPOSAL["facts"],
        "evidence": ["现场笔录：2026年3月5日现场检查", "询问笔录：当事人陈述"],
        "heard": "当事人在法定期限内未提出陈述、申辩意见，也未申请听证。",
        "offence": OFFENCE,
        "discretion": DISCRETION,
        "procedure": "一般程序",
        "measures": MEASURES,
        "measures_text": MEASURES_TEXT,
        "payment": {
            "due": True,
            "total": "53,000.00元（人民币伍万叁仟元整）",
            "fine": "50,000.00元（人民币伍万元整）",
            "days": "十五日",
            "account": "本机关指定的罚没款代收银行",
            "surcharge": "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额。",
        },
        "remedies": REMEDIES,
        "decided_on": DATE,
        "date": DATE,
    },
    DocumentKind.NO_PENALTY_DECISION: {
        "facts": PROPOSAL["facts"],
        "evidence": ["现场笔录：2026年3月5日现场检查"],
        "heard": "当事人在法定期限内未提出陈述、申辩意见。",
        "offence": OFFENCE,
        "reason": "违法行为轻微并及时改正，没有造成危害后果",
        "basis": "《中华人民共和国行政处罚法》第三十三条第一款",
        "remedies": REMEDIES,
        "decided_on": DATE,
        "date": DATE,
    },
    DocumentKind.SERVICE_RECEIPT: {
        "served": {"name": "行政处罚决定书", "number": "吴卫罚决〔2026〕12号", "on": "2026年5月22日"}
    },
    DocumentKind.DEMAND: {
        "decision": DECISION_REF,
        "demand": {
            "amount": "53,000.00元（人民币伍万叁仟元整）",
            "principal": "50,000.00元（人民币伍万元整）",
            "surcharge": "3,000.00元（人民币叁仟元整）",
            "days": "十日",
            "due_on": "2026年7月10日",
            "issued_on": "2026年6月30日",
        },
        "date": "2026年6月30日",
    },
    DocumentKind.COURT_APPLICATION: {
        "decision": DECISION_REF,
        "application": {
            "court": "苏州市吴中区人民法院",
            "amount": "53,000.00元（人民币伍万叁仟元整）",
            "other_measures": "",
            "applied_on": "2026年9月1日",
        },
        "demand": {
            "number": "吴卫催告〔2026〕12号",
            "issued_on": "2026年6月30日",
            "served_on": "2026年7月1日",
            "statement": "当事人未提出陈述、申辩。",
        },
        "date": "2026年9月1日",
    },
    DocumentKind.CRIME_REFERRAL: {
        "referral": {
            "target_unit": "苏州市公安局吴中分局",
            "reason": "当事人曾因非法行医受过两次行政处罚，又非法行医。",
            "proposed_on": "2026年5月10日",
            "approved_on": "2026年5月11日",
            "approved_by": "孙志强",
        },
        "facts": PROPOSAL["facts"],
        "crime_reasons": ["因非法行医被卫生健康主管部门行政处罚两次以后，再次非法行医"],
        "attachments": [
            "涉嫌犯罪案件情况的调查报告",
            "涉案物品清单",
            "有关检验报告或者鉴定结论",
            "其他有关涉嫌犯罪的材料",
        ],
        "date": "2026年5月11日",
    },
    DocumentKind.CLOSING_REPORT: {
        "close_kind": "执行完毕",
        "decision_kind": "行政处罚决定",
        "decided_on": DATE,
        "served_on": "2026年5月22日",
        "measures_text": MEASURES_TEXT,
        "executed": ["罚款50,000.00元（人民币伍万元整）", "没收违法所得3,000.00元（人民币叁仟元整）"],
        "closed_on": "2026年6月10日",
        "date": "2026年6月10日",
    },
}
EXTRA[DocumentKind.CORRECTION_ORDER] = copy.deepcopy(EXTRA[DocumentKind.SUPERVISION_OPINION])


def sample_context(kind: str) -> dict:
    from .base import NUMBER_WORDS

    context = {**copy.deepcopy(BASE), **copy.deepcopy(EXTRA[kind])}
    word = NUMBER_WORDS.get(kind)
    context["number"] = f"吴卫{word}〔2026〕12号" if word else ""
    return context


# Labels of the placeholders, by dotted name; list items by "list[].field".
LABELS = {
    "unit": "制作单位名称",
    "number": "文书编号（单位简称+文书字+年份+案件序号）",
    "today": "制作日期",
    "date": "文书落款日期",
    "case.number": "案件编号",
    "case.title": "案由",
    "case.source": "案件来源",
    "case.offence_date": "违法行为发生日期",
    "case.opened_on": "立案日期",
    "case.officers": "承办人（含执法证号）",
    "party.name": "当事人",
    "party.kind": "当事人类型",
    "party.id_number": "身份证号/统一社会信用代码",
    "party.address": "当事人住址",
    "subject.name": "监管对象名称",
    "subject.address": "监管对象地址",
    "facts": "违法事实",
    "evidence[]": "证据（列表）",
    "heard": "陈述申辩、听证情况及采纳情况",
    "offence.name": "违法行为",
    "offence.basis": "法律依据（《》全称及条款）",
    "offences[].name": "涉嫌违法行为（列表）：名称",
    "offences[].basis": "涉嫌违法行为（列表）：依据",
    "discretion.kind": "裁量情节",
    "discretion.reason": "裁量理由",
    "discretion.basis": "裁量依据",
    "discretion.text": "裁量说明（一句话）",
    "measures[].kind": "处罚措施（列表）：种类",
    "measures[].amount": "处罚措施：金额（数字）",
    "measures[].amount_words": "处罚措施：金额（大写）",
    "measures[].amount_text": "处罚措施：金额（数字及大写）",
    "measures[].description": "处罚措施：说明",
    "measures[].text": "处罚措施：完整表述",
    "measures[].ordinal": "处罚措施：序号（一）",
    "measures[].end": "处罚措施：句末标点",
    "measures_text": "处罚措施（一段文字）",
    "procedure": "程序",
    "decided_on": "决定日期",
    "payment.due": "是否须缴款（真/假）",
    "payment.total": "应缴金额合计",
    "payment.fine": "罚款金额",
    "payment.days": "缴款期限",
    "payment.account": "缴款账户",
    "payment.surcharge": "加处罚款告知",
    "remedies.review_days": "申请行政复议期限",
    "remedies.litigation_months": "提起行政诉讼期限",
    "remedies.text": "救济途径（一段文字）",
    "rights.days": "陈述申辩、听证期限",
    "rights.due": "陈述申辩、听证截止日期",
    "rights.window": "陈述申辩、听证期限（完整表述）",
    "rights.hearing": "是否告知听证权利（真/假）",
    "contact.address": "本机关地址",
    "contact.phone": "联系电话",
    "contact.officers": "联系人",
    "no_penalty": "拟不予处罚（真/假）",
    "reason": "不予处罚理由",
    "basis": "不予处罚依据",
}


def _flatten(value, prefix="") -> list[str]:
    if isinstance(value, dict):
        names = []
        for key, item in value.items():
            names += _flatten(item, f"{prefix}.{key}" if prefix else key)
        return names
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return _flatten(value[0], f"{prefix}[]")
        return [f"{prefix}[]"]
    return [prefix]


def placeholders(kind: str) -> list[tuple[str, str]]:
    """(name, label) of every placeholder a template of `kind` may use."""
    names = _flatten(sample_context(kind))
    return [(name, LABELS.get(name, _fallback_label(name))) for name in names]


# Labels of the record fields, by their last part (inquiry.person_name → 被询问人).
FIELD_LABELS = {
    "period": "检查时间",
    "place": "地点",
    "kind": "种类/方式",
    "officers": "执法人员（含执法证号）",
    "persons_present": "在场人员",
    "findings": "检查情况",
    "outcome": "处理结果",
    "items[].number": "检查项目：序号",
    "items[].text": "检查项目：内容",
    "items[].result": "检查项目：结果",
    "items[].note": "检查项目：说明",
    "person_name": "被询问人",
    "person_id_number": "被询问人身份证号",
    "person_phone": "被询问人联系电话",
    "person_address": "被询问人住址",
    "relation": "与案件关系",
    "started": "开始时间",
    "ended": "结束时间",
    "content": "内容",
    "held_at": "保存时间",
    "goods": "物品清单",
    "keeper": "保存人",
    "approved_by": "批准负责人",
    "handle_days": "作出处理决定的期限",
    "text": "内容",
    "on": "日期",
    "correct_by": "改正期限",
    "issued_on": "出具日期",
    "requested_on": "申请日期",
    "at": "时间",
    "host": "主持人",
    "clerk": "记录员",
    "public": "公开/不公开",
    "speaker": "陈述申辩人",
    "adoption": "复核意见",
    "adoption_reason": "复核理由",
    "version": "拟处罚意见版本",
    "submitted_by": "送审人",
    "submitted_on": "送审日期",
    "reviewers": "法制审核人员",
    "reviewed_on": "审核日期",
    "opinion": "审核意见",
    "conclusion": "结论",
    "held_on": "日期",
    "chair": "主持人",
    "participants": "参加人员",
    "recorder": "记录人",
    "opinions": "讨论意见",
    "conclusion_text": "决定内容",
    "name": "名称",
    "number": "文号",
    "served_on": "送达日期",
    "amount": "金额（数字及大写）",
    "principal": "其中罚款等",
    "surcharge": "其中加处罚款",
    "days": "期限",
    "due_on": "履行期限",
    "court": "人民法院",
    "other_measures": "申请执行的其他事项",
    "applied_on": "申请日期",
    "statement": "当事人陈述申辩及处理",
    "target_unit": "接收单位",
    "proposed_on": "提请日期",
    "approved_on": "批准日期",
    "crime_reasons[]": "涉嫌犯罪理由（列表）",
    "attachments[]": "附件（列表）",
    "executed[]": "执行情况（列表）",
    "close_kind": "结案方式",
    "decision_kind": "决定类型",
    "closed_on": "结案日期",
    "illegal_income": "违法所得",
    "proposed_by": "提请人",
    "opened_by": "立案审批人",
    "opened_on": "立案日期",
    "approval": "审批意见",
}


def _fallback_label(name: str) -> str:
    for key in (name.split(".", 1)[-1], name.rsplit(".", 1)[-1]):
        if key in FIELD_LABELS:
            return FIELD_LABELS[key]
    return name.rsplit(".", 1)[-1]
