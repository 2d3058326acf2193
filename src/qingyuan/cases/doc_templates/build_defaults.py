"""Writes the shipped default templates (<kind>.docx) next to this file.

Run after changing the layout: .venv/bin/python src/qingyuan/cases/doc_templates/build_defaults.py
The layout follows GB/T 9704: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the
unit name and the title in 宋体 bold (title 二号), centred; the number right-aligned under the title;
the body in 仿宋 (三号 for letters, 四号 for forms) at 28 pt line spacing; the seal area bottom right
and, for documents served on the party, the receipt lines.

Placeholders are Jinja, rendered by docxtpl (cases/documents/samples.py lists them per kind). Each
placeholder sits whole inside one run, since docxtpl needs that; {%p %} lines are removed with
their paragraph."""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
SONG = ("SimSun", "宋体")
FANGSONG = ("FangSong", "仿宋")
ER_HAO, XIAO_ER, SAN_HAO, SI_HAO = Pt(22), Pt(18), Pt(16), Pt(14)
LINE = Pt(28)
LABEL_WIDTH, VALUE_WIDTH = Mm(42), Mm(114)  # 156 mm of text width between the margins


def _fonts(element, font):
    # Word and WPS pick the font for Chinese characters from w:eastAsia, not from the ASCII name.
    latin, east = font
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east)


class Doc:
    """One document being laid out; `size` is the body size (三号 letters, 四号 forms)."""

    def __init__(self, title, *, size=SAN_HAO, number=True):
        self.doc = Document()
        self.size = size
        for section in self.doc.sections:
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.top_margin, section.bottom_margin = Mm(37), Mm(35)
            section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        normal.font.size = size
        _fonts(normal.element, FANGSONG)
        # Chinese text: Word, WPS and LibreOffice pick Simplified Chinese forms and line breaking.
        rpr = normal.element.get_or_add_rPr()
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.space_before = fmt.space_after = Pt(0)
        self._heading("{{ unit }}", XIAO_ER)
        self._heading(title, ER_HAO)
        if number:
            p = self.para("{{ number }}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.space_after = Pt(14)

    def _heading(self, text, size):
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        p.paragraph_format.line_spacing = Pt(size.pt + 8)
        run = p.add_run(text)
        run.bold = True
        run.font.size = size
        _fonts(run._element, SONG)
        return p

    def para(self, text="", *, indent=True, align=None, bold=False):
        p = self.doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(self.size.pt * 2)
        if align is not None:
            p.alignment = align
        if text:
            run = p.add_run(text)
            run.bold = bold
            _fonts(run._element, FANGSONG)
        return p

    def tag(self, text):
        """A {%p ... %} line: removed with its paragraph when rendered."""
        return self.para(text, indent=False)

    def field(self, label, value):
        p = self.para(indent=False)
        run = p.add_run(f"{label}：")
        run.bold = True
        _fonts(run._element, FANGSONG)
        _fonts(p.add_run(value)._element, FANGSONG)
        return p

    def table(self, rows, widths=(LABEL_WIDTH, VALUE_WIDTH)):
        table = self.doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        # LibreOffice lays columns out from the grid, Word from the cells: set both.
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].width, cells[1].width = widths
            for cell, text, bold in ((cells[0], label, True), (cells[1], value, False)):
                run = cell.paragraphs[0].add_run(text)
                run.bold = bold
                _fonts(run._element, FANGSONG)
        return table

    def seal(self, date="{{ date }}", unit="{{ unit }}"):
        """The signature area bottom right: unit, seal, date in Chinese."""
        self.para(indent=False)
        for text in (unit, "（印章）", date):
            self.para(text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)

    def receipt(self, who="当事人"):
        self.para(indent=False)
        self.para(f"{who}签收：__________　日期：_____年___月___日", indent=False)

    def signatures(self, *labels):
        self.para(indent=False)
        for label in labels:
            self.para(f"{label}（签名）：__________　日期：_____年___月___日", indent=False)

    def measures(self, source="measures"):
        self.tag(f"{{%p for m in {source} %}}")
        self.para("{{ m.ordinal }}{{ m.text }}{{ m.end }}")
        self.tag("{%p endfor %}")

    def save(self, kind):
        self.doc.save(HERE / f"{kind}.docx")


RIGHTS_STATEMENT = (
    "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。如有陈述、"
    "申辩意见，请于{{ rights.window }}向本机关提出；逾期未提出的，视为放弃陈述、申辩的权利。"
)
RIGHTS_HEARING = (
    "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求举行听证。如要求听证，"
    "请于{{ rights.window }}向本机关提出；逾期未提出的，视为放弃听证的权利。"
)
CONTACT = "本机关地址：{{ contact.address }}　联系电话：{{ contact.phone }}　联系人：{{ contact.officers }}"


def site_record():
    d = Doc("现场笔录", size=SI_HAO, number=False)
    d.field("检查时间", "{{ inspection.period }}")
    d.field("检查地点", "{{ inspection.place }}")
    d.field("被检查人（单位）", "{{ subject.name }}（{{ subject.address }}）")
    d.field("检查方式", "{{ inspection.kind }}")
    d.field("执法人员", "{{ inspection.officers }}")
    d.field("在场人员", "{{ inspection.persons_present }}")
    d.para("执法人员已向被检查人出示执法证件，说明来意，告知其依法享有的权利和配合检查的义务。")
    d.field("检查情况", "")
    d.tag("{%p for i in items %}")
    d.para("{{ i.number }}. {{ i.text }}：{{ i.result }}{% if i.note %}（{{ i.note }}）{% endif %}")
    d.tag("{%p endfor %}")
    d.para("{{ inspection.findings }}")
    d.field("处理结果", "{{ inspection.outcome }}")
    d.signatures("被检查人", "执法人员", "记录人")
    d.para("（本笔录经被检查人核对无误后逐页签名；拒绝签名的，由执法人员注明情况。）", indent=False)
    d.save("site_record")


def inquiry():
    d = Doc("询问笔录", size=SI_HAO, number=False)
    d.field("询问时间", "{{ inquiry.started }}{% if inquiry.ended %}至{{ inquiry.ended }}{% endif %}")
    d.field("询问地点", "{{ inquiry.place }}")
    d.field("被询问人", "{{ inquiry.person_name }}　与案件关系：{{ inquiry.relation }}")
    d.field("身份证号", "{{ inquiry.person_id_number }}　联系电话：{{ inquiry.person_phone }}")
    d.field("住址", "{{ inquiry.person_address }}")
    d.field(
        "所涉对象",
        "{{ subject.name }}（{{ subject.address }}）{% if case.title %}　案由：{{ case.title }}{% endif %}",
    )
    d.field("询问人", "{{ inquiry.officers }}")
    d.para(
        "我们是{{ unit }}的执法人员，已向你出示执法证件。现依法向你询问有关情况，你应当如实回答，协助调查。"
        "你认为执法人员与本案有直接利害关系的，有权申请回避。"
    )
    d.field("询问内容", "")
    d.para("{{ inquiry.content }}", indent=False)
    d.para("以上笔录我已看过（已向我宣读），与我所说的相符。", indent=False)
    d.signatures("被询问人", "询问人", "记录人")
    d.save("inquiry")


def hold_notice():
    d = Doc("先行登记保存证据通知书")
    d.para("{{ party.name }}：", indent=False)
    d.para(
        "因你（单位）涉嫌违法，在证据可能灭失或者以后难以取得的情况下，经本机关负责人{{ hold.approved_by }}批准，"
        "依据《中华人民共和国行政处罚法》第五十六条的规定，本机关于{{ hold.held_at }}对下列物品予以先行登记保存，"
        "保存地点：{{ hold.place }}{% if hold.keeper %}，保存人：{{ hold.keeper }}{% endif %}。"
    )
    d.para("物品清单：", indent=False, bold=True)
    d.para("{{ hold.goods }}")
    d.para(
        "在登记保存期间，你（单位）不得销毁或者转移上述物品。本机关将在{{ handle_days }}内依法作出处理决定。"
    )
    d.para("执法人员：{{ hold.officers }}", indent=False)
    d.seal()
    d.receipt()
    d.save("hold_notice")


def hold_decision():
    d = Doc("先行登记保存证据处理决定书")
    d.para("{{ party.name }}：", indent=False)
    d.para(
        "本机关于{{ hold.held_at }}以{{ hold.number }}《先行登记保存证据通知书》对你（单位）的下列物品予以"
        "先行登记保存："
    )
    d.para("{{ hold.goods }}")
    d.para("根据《中华人民共和国行政处罚法》第五十六条的规定，本机关作出如下处理决定：{{ decision.kind }}。")
    d.para("{{ decision.text }}")
    d.seal()
    d.receipt()
    d.save("hold_decision")


def supervision_opinion():
    d = Doc("卫生监督意见书")
    d.para("{{ party.name }}：", indent=False)
    d.para("本机关于{{ order.issued_on }}依法对你（单位）进行监督检查，提出卫生监督意见如下：")
    d.para("{{ order.content }}")
    d.tag("{%p if order.basis %}")
    d.para("依据：{{ order.basis }}。")
    d.tag("{%p endif %}")
    d.tag("{%p if order.correct_by %}")
    d.para("请于{{ order.correct_by }}前落实上述意见。")
    d.tag("{%p endif %}")
    d.para("卫生监督员：{{ order.officers }}", indent=False)
    d.seal()
    d.receipt()
    d.save("supervision_opinion")


def correction_order():
    d = Doc("责令改正通知书")
    d.para("{{ party.name }}：", indent=False)
    d.para("经本机关于{{ order.issued_on }}检查，你（单位）存在下列违法行为：")
    d.para("{{ order.content }}")
    d.para(
        "{% if order.basis %}依据{{ order.basis }}的规定，{% endif %}"
        "责令你（单位）{% if order.correct_by %}于{{ order.correct_by }}前{% else %}立即{% endif %}改正。"
        "逾期不改正的，本机关将依法处理。"
    )
    d.para("卫生监督员：{{ order.officers }}", indent=False)
    d.seal()
    d.receipt()
    d.save("correction_order")


def opening_approval():
    d = Doc("立案报告", size=SI_HAO)
    d.table(
        [
            ("案由", "{{ case.title }}"),
            ("案件编号", "{{ case.number }}"),
            ("案件来源", "{{ case.source }}"),
            ("当事人", "{{ party.name }}（{{ party.kind }}）"),
            ("身份证号/统一社会信用代码", "{{ party.id_number }}"),
            ("住址", "{{ party.address }}"),
            ("监管对象", "{{ subject.name }}（{{ subject.address }}）"),
            ("违法行为发生日期", "{{ case.offence_date }}"),
            (
                "涉嫌违法行为及依据",
                "{% for o in offences %}{{ o.name }}（{{ o.basis }}）{% if not loop.last %}；{% endif %}{% endfor %}",
            ),
            ("简要案情", "{{ facts }}"),
            ("违法所得", "{{ illegal_income }}"),
            ("承办人", "{{ case.officers }}"),
            ("提请人及日期", "{{ proposed_by }}　{{ proposed_on }}"),
            ("负责人审批意见", "{{ approval }}　{{ opened_by }}　{{ opened_on }}"),
        ]
    )
    d.save("opening_approval")


def prior_notice():
    d = Doc("行政处罚事先告知书")
    d.para("{{ party.name }}：", indent=False)
    d.para(
        "本机关于{{ case.opened_on }}对你（单位）{{ case.title }}立案调查。经调查查明的违法事实及证据如下："
    )
    d.para("{{ proposal.facts }}")
    _evidence(d)
    d.para(
        "你（单位）的上述行为构成{{ proposal.offence.name }}，依据{{ proposal.offence.basis }}的规定，应予行政处罚。"
    )
    d.tag("{%p if proposal.discretion.text %}")
    d.para("{{ proposal.discretion.text }}")
    d.tag("{%p endif %}")
    d.tag("{%p if no_penalty %}")
    d.para("本机关拟对你（单位）不予行政处罚。")
    d.tag("{%p else %}")
    d.para("本机关拟对你（单位）作出如下行政处罚：")
    d.measures("proposal.measures")
    d.tag("{%p endif %}")
    d.para(RIGHTS_STATEMENT)
    d.tag("{%p if rights.hearing %}")
    d.para(RIGHTS_HEARING)
    d.tag("{%p endif %}")
    d.para(CONTACT)
    d.seal()
    d.receipt()
    d.save("prior_notice")


def hearing_rights():
    d = Doc("听证告知书")
    d.para("{{ party.name }}：", indent=False)
    d.para("本机关拟对你（单位）{{ case.title }}作出如下行政处罚：")
    d.measures("proposal.measures")
    d.para(RIGHTS_HEARING)
    d.para(CONTACT)
    d.seal()
    d.receipt()
    d.save("hearing_rights")


def hearing_notice():
    d = Doc("听证通知书")
    d.para("{{ party.name }}：", indent=False)
    d.para(
        "根据你（单位）于{{ hearing.requested_on }}提出的听证申请，本机关定于{{ hearing.at }}在{{ hearing.place }}"
        "{{ hearing.public }}举行{{ case.title }}听证会，请准时出席。"
    )
    d.para("听证主持人：{{ hearing.host }}　　记录员：{{ hearing.clerk }}")
    d.para(
        "你（单位）在听证中享有下列权利：（一）认为听证主持人、记录员与本案有直接利害关系的，有权申请回避；"
        "（二）可以亲自参加听证，也可以委托一至二人代理，委托代理人的，应当提交授权委托书；"
        "（三）可以进行申辩和质证，并对听证笔录进行核对。"
    )
    d.para("无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，本机关终止听证。")
    d.seal()
    d.receipt()
    d.save("hearing_notice")


def statement_record():
    d = Doc("陈述申辩笔录", size=SI_HAO, number=False)
    d.field("时间", "{{ statement.at }}")
    d.field("地点", "{{ statement.place }}")
    d.field("陈述申辩人", "{{ statement.speaker }}")
    d.field("案由", "{{ case.title }}（{{ case.number }}）")
    d.field("承办人", "{{ statement.officers }}")
    d.para(
        "执法人员已告知陈述申辩人：本机关拟对其作出行政处罚，其有权进行陈述和申辩，本机关不因其申辩而加重处罚。"
    )
    d.field("陈述申辩内容", "")
    d.para("{{ statement.content }}", indent=False)
    d.field(
        "复核意见",
        "{{ statement.adoption }}{% if statement.adoption_reason %}：{{ statement.adoption_reason }}{% endif %}",
    )
    d.para("以上笔录我已看过（已向我宣读），与我所说的相符。", indent=False)
    d.signatures("陈述申辩人", "承办人", "记录人")
    d.save("statement_record")


def legal_review():
    d = Doc("法制审核意见书", size=SI_HAO)
    d.table(
        [
            ("案由", "{{ case.title }}（{{ case.number }}）"),
            ("当事人", "{{ party.name }}"),
            ("送审人及日期", "{{ review.submitted_by }}　{{ review.submitted_on }}"),
            ("违法事实", "{{ proposal.facts }}"),
            ("违法行为及依据", "{{ proposal.offence.name }}；{{ proposal.offence.basis }}"),
            ("拟处罚意见", "{{ proposal.measures_text }}（第{{ proposal.version }}版）"),
            ("审核意见", "{{ review.opinion }}"),
            ("审核结论", "{{ review.conclusion }}"),
            ("法制审核人员及日期", "{{ review.reviewers }}　{{ review.reviewed_on }}"),
        ]
    )
    d.seal()
    d.save("legal_review")


def discussion():
    d = Doc("重大案件集体讨论记录", size=SI_HAO)
    d.field("案由", "{{ case.title }}（{{ case.number }}）")
    d.field("当事人", "{{ party.name }}")
    d.field("时间", "{{ discussion.held_on }}")
    d.field("地点", "{{ discussion.place }}")
    d.field("主持人", "{{ discussion.chair }}")
    d.field("参加人员", "{{ discussion.participants }}")
    d.field("记录人", "{{ discussion.recorder }}")
    d.field("拟处罚意见", "{{ proposal.offence.name }}；{{ proposal.measures_text }}")
    d.field("讨论意见", "")
    d.para("{{ discussion.opinions }}", indent=False)
    d.field("讨论结论", "{{ discussion.conclusion }}")
    d.para("{{ discussion.conclusion_text }}")
    d.signatures("主持人", "参加人员", "记录人")
    d.save("discussion")


def _evidence(d):
    d.tag("{%p if evidence %}")
    d.para("以上事实有下列证据证明：")
    d.tag("{%p for e in evidence %}")
    d.para("{{ loop.index }}. {{ e }}")
    d.tag("{%p endfor %}")
    d.tag("{%p endif %}")


def _party_header(d):
    d.para("当事人：{{ party.name }}（{{ party.kind }}）", indent=False)
    d.para("身份证号/统一社会信用代码：{{ party.id_number }}", indent=False)
    d.para("住址：{{ party.address }}", indent=False)


def _facts(d):
    d.para("本机关于{{ case.opened_on }}对你（单位）{{ case.title }}立案调查，现已调查终结。经查明：")
    d.para("{{ facts }}")
    _evidence(d)
    d.para("{{ heard }}")


def decision():
    d = Doc("行政处罚决定书")
    _party_header(d)
    _facts(d)
    d.para("你（单位）的上述行为构成{{ offence.name }}，依据{{ offence.basis }}的规定，应予行政处罚。")
    d.tag("{%p if discretion.text %}")
    d.para("{{ discretion.text }}")
    d.tag("{%p endif %}")
    d.para("本机关决定对你（单位）作出如下行政处罚：")
    d.measures()
    d.tag("{%p if payment.due %}")
    d.para(
        "请于收到本决定书之日起{{ payment.days }}内，将罚没款{{ payment.total }}缴至{{ payment.account }}。"
        "{{ payment.surcharge }}"
    )
    d.tag("{%p endif %}")
    d.para("{{ remedies.text }}")
    d.para("逾期不申请行政复议、不提起行政诉讼又不履行本决定的，本机关将依法申请人民法院强制执行。")
    d.seal()
    d.receipt()
    d.save("decision")


def no_penalty_decision():
    d = Doc("不予行政处罚决定书")
    _party_header(d)
    _facts(d)
    d.para(
        "你（单位）的上述行为构成{{ offence.name }}。鉴于{{ reason }}，依据{{ basis }}的规定，"
        "本机关决定对你（单位）不予行政处罚。"
    )
    d.para("{{ remedies.text }}")
    d.seal()
    d.receipt()
    d.save("no_penalty_decision")


def service_receipt():
    d = Doc("送达回证", size=SI_HAO, number=False)
    d.table(
        [
            ("送达文书名称及文号", "{{ served.name }}　{{ served.number }}"),
            ("案由", "{{ case.title }}（{{ case.number }}）"),
            ("受送达人", "{{ party.name }}"),
            ("送达地点", "{{ party.address }}"),
            ("送达方式", "□直接送达　□留置送达　□邮寄送达　□委托送达　□电子送达"),
            ("送达日期", "{% if served.on %}{{ served.on }}{% else %}______年____月____日{% endif %}"),
            ("受送达人签名或盖章", "\n\n______年____月____日"),
            ("送达人签名", "\n\n______年____月____日"),
            ("见证人签名（留置送达时）", "\n"),
            ("备注", "\n"),
        ]
    )
    d.seal(date="{{ today }}")
    d.save("service_receipt")


def demand():
    d = Doc("催告书")
    d.para("{{ party.name }}：", indent=False)
    d.para(
        "本机关于{{ decision.decided_on }}作出{{ decision.number }}《行政处罚决定书》，对你（单位）作出"
        "{{ decision.measures_text }}的行政处罚，该决定书已于{{ decision.served_on }}送达。你（单位）在法定期限内"
        "未申请行政复议或者提起行政诉讼，又未履行上述决定。"
    )
    d.para(
        "根据《中华人民共和国行政强制法》第三十五条、第五十四条的规定，现催告你（单位）自收到本催告书之日起"
        "{{ demand.days }}内履行下列义务：缴纳{{ demand.amount }}"
        "{% if demand.surcharge %}（其中罚没款{{ demand.principal }}，加处罚款{{ demand.surcharge }}）{% endif %}。"
    )
    d.para("你（单位）有权进行陈述和申辩，本机关将充分听取并记录、复核你（单位）提出的事实、理由和证据。")
    d.para("逾期仍不履行的，本机关将依照《中华人民共和国行政强制法》第五十三条的规定申请人民法院强制执行。")
    d.seal()
    d.receipt()
    d.save("demand")


def court_application():
    d = Doc("强制执行申请书")
    d.para("申请人：{{ unit }}", indent=False)
    d.para(
        "被申请人：{{ party.name }}（{{ party.kind }}），身份证号/统一社会信用代码：{{ party.id_number }}，"
        "住址：{{ party.address }}",
        indent=False,
    )
    d.para(
        "申请事项：请求依法强制执行{{ decision.number }}《行政处罚决定书》确定的{{ application.amount }}"
        "{% if application.other_measures %}及{{ application.other_measures }}{% endif %}。",
        indent=False,
    )
    d.para("事实和理由：", indent=False, bold=True)
    d.para(
        "申请人于{{ decision.decided_on }}对被申请人作出{{ decision.number }}《行政处罚决定书》，决定给予"
        "{{ decision.measures_text }}，该决定书于{{ decision.served_on }}送达被申请人。被申请人在法定期限内未申请"
        "行政复议或者提起行政诉讼，又不履行该决定。申请人于{{ demand.issued_on }}作出{{ demand.number }}"
        "《催告书》，于{{ demand.served_on }}送达，被申请人逾期仍未履行。"
    )
    d.para("被申请人的意见及申请人复核情况：{{ demand.statement }}")
    d.para("根据《中华人民共和国行政强制法》第五十三条、第五十五条的规定，特申请贵院依法强制执行。")
    d.para("此致", indent=True)
    d.para("{{ application.court }}", indent=False)
    d.para(
        "附：1. 行政处罚决定书及作出决定的事实、理由和依据；2. 当事人的意见及催告情况；3. 申请强制执行标的情况；"
        "4. 法律、行政法规规定的其他材料。",
        indent=False,
    )
    d.para("申请人负责人（签名）：____________", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    d.seal()
    d.save("court_application")


def crime_referral():
    d = Doc("涉嫌犯罪案件移送书")
    d.para("{{ referral.target_unit }}：", indent=False)
    d.para("{{ party.name }}{{ case.title }}一案，经本机关调查，当事人的行为涉嫌构成犯罪。")
    d.para("案件事实：{{ facts }}")
    d.tag("{%p if crime_reasons %}")
    d.para("涉嫌犯罪的理由：")
    d.tag("{%p for r in crime_reasons %}")
    d.para("{{ loop.index }}. {{ r }}")
    d.tag("{%p endfor %}")
    d.tag("{%p endif %}")
    d.para("移送理由：{{ referral.reason }}")
    d.para(
        "根据《中华人民共和国行政处罚法》第二十七条和《行政执法机关移送涉嫌犯罪案件的规定》第三条、第六条的规定，"
        "经本机关负责人{{ referral.approved_by }}于{{ referral.approved_on }}批准，现将该案移送你单位，请依法审查，"
        "并将处理结果书面告知本机关。"
    )
    d.para("附件：", indent=False)
    d.tag("{%p for a in attachments %}")
    d.para("{{ loop.index }}. {{ a }}")
    d.tag("{%p endfor %}")
    d.seal()
    d.receipt("接收单位")
    d.save("crime_referral")


def closing_report():
    d = Doc("结案报告", size=SI_HAO)
    d.table(
        [
            ("案由", "{{ case.title }}（{{ case.number }}）"),
            ("当事人", "{{ party.name }}（{{ party.kind }}）"),
            ("立案日期", "{{ case.opened_on }}"),
            ("决定类型及日期", "{{ decision_kind }}　{{ decided_on }}"),
            ("处罚措施", "{{ measures_text }}"),
            ("送达日期", "{{ served_on }}"),
            ("执行情况", "{% for e in executed %}{{ e }}{% if not loop.last %}；{% endif %}{% endfor %}"),
            ("结案方式", "{{ close_kind }}"),
            ("结案日期", "{{ closed_on }}"),
            ("承办人", "{{ case.officers }}"),
            ("负责人审批意见", "\n\n签名：____________　______年____月____日"),
        ]
    )
    d.seal()
    d.save("closing_report")


# One function per cases.models.DocumentKind value, named after it.
KINDS = """site_record inquiry hold_notice hold_decision supervision_opinion correction_order opening_approval
prior_notice hearing_rights hearing_notice statement_record legal_review discussion decision no_penalty_decision
service_receipt demand court_application crime_referral closing_report""".split()

if __name__ == "__main__":
    for kind in KINDS:
        globals()[kind]()
