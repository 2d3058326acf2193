"""Registry fixtures: a few licensed places and people in 吴中区 and 相城区, and ledger files to import."""

import csv

import pytest
from openpyxl import Workbook

from qingyuan.core.idcard import check_digit
from qingyuan.registry import services
from qingyuan.registry.importing import INSTITUTIONS, PRACTITIONERS


def id_number(first17: str) -> str:
    return first17 + check_digit(first17)


ZHANG_ID = id_number("32050619800101001")


def institution_row(**overrides):
    row = {
        "机构名称": "吴中区木渎仁心诊所",
        "机构类别": "诊所",
        "许可/备案": "执业许可证",
        "许可证号/备案号": "PDY32050600001",
        "有效期至": "2030-12-31",
        "地址": "吴中区木渎镇金星村88号",
        "所在区划代码": "320506100201",
        "法定代表人/负责人": "张仁",
        "诊疗科目": "内科、外科",
        "状态": "有效",
    }
    row.update(overrides)
    return row


def practitioner_row(**overrides):
    row = {
        "姓名": "张仁心",
        "身份证号": ZHANG_ID,
        "医师资格证书编码": "199832110320506",
        "执业证书编码": "110320506000001",
        "人员类型": "执业医师",
        "执业类别": "临床",
        "执业范围": "内科专业",
        "注册执业机构许可证号": "PDY32050600001",
        "所在区划代码": "320506",
        "状态": "有效",
    }
    row.update(overrides)
    return row


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(rows, kind="institutions", encoding="utf-8") -> path of a CSV in the template format."""

    def _write(rows, kind="institutions", encoding="utf-8", name=None):
        spec = INSTITUTIONS if kind == "institutions" else PRACTITIONERS
        path = tmp_path / (name or f"{kind}.csv")
        with open(path, "w", encoding=encoding, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(spec.headers)
            for row in rows:
                writer.writerow([row.get(h, "") for h in spec.headers])
        return path

    return _write


@pytest.fixture
def write_xlsx(tmp_path):
    def _write(rows, kind="institutions", name=None):
        spec = INSTITUTIONS if kind == "institutions" else PRACTITIONERS
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(spec.headers)
        for row in rows:
            sheet.append([row.get(h) for h in spec.headers])
        path = tmp_path / (name or f"{kind}.xlsx")
        workbook.save(path)
        return path

    return _write


def make_institution(actor=None, **data):
    defaults = {
        "name": "吴中区木渎仁心诊所",
        "category": "clinic",
        "licence_kind": "licence",
        "licence_no": "PDY32050600001",
        "valid_until": "2030-12-31",
        "address": "吴中区木渎镇金星村88号",
        "region_id": "320506100201",
        "legal_representative": "张仁",
        "departments": "内科、外科",
        "status": "valid",
    }
    defaults.update(data)
    return services.institution_save(actor=actor, institution=None, data=defaults)


@pytest.fixture
def places(regions):
    """A valid clinic and a revoked one in 吴中区, an expired dental clinic in 相城区."""
    return {
        "clinic": make_institution(),
        "revoked": make_institution(
            name="吴中区光明口腔诊所",
            category="dental",
            licence_no="PDY32050600002",
            address="吴中区长桥街道光明路5号",
            region_id="320506",
            status="revoked",
            departments="口腔科",
        ),
        "neighbour": make_institution(
            name="相城区黄埭康宁中医诊所",
            category="tcm_clinic",
            licence_no="PDY32050700003",
            valid_until="2020-06-30",
            address="相城区黄埭镇三埂村88号",
            region_id="320507100201",
            departments="中医科、针灸科",
        ),
    }


@pytest.fixture
def doctor(places):
    return services.practitioner_save(
        actor=None,
        practitioner=None,
        data={
            "name": "张仁心",
            "id_number": ZHANG_ID,
            "qualification_no": "199832110320506",
            "certificate_no": "110320506000001",
            "kind": "physician",
            "practice_category": "临床",
            "practice_scope": "内科专业",
            "institution": places["clinic"],
            "region_id": "320506",
            "status": "valid",
        },
    )
