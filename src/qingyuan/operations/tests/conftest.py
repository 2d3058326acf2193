"""A city of eight counties for grouping, and helpers shared by the operations tests."""

import pytest

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_region, make_user
from qingyuan.regions.models import Level, Unit, UnitKind
from qingyuan.subjects.models import Subject, SubjectKind

# 吴中区 320506 and 相城区 320507 come from the shared fixture; six more counties of 苏州市.
MORE_COUNTIES = [
    ("320505", "虎丘区"),
    ("320508", "姑苏区"),
    ("320509", "吴江区"),
    ("320581", "常熟市"),
    ("320582", "张家港市"),
    ("320583", "昆山市"),
]
# An illustrative map: 张家港—常熟—相城—姑苏—虎丘—吴中—吴江—昆山, with a few cross links.
BORDERS = [
    ("320582", "320581"),
    ("320581", "320507"),
    ("320507", "320508"),
    ("320508", "320505"),
    ("320505", "320506"),
    ("320506", "320509"),
    ("320509", "320583"),
    ("320581", "320583"),
    ("320507", "320505"),
    ("320506", "320508"),
]


@pytest.fixture
def city(regions, units, personas):
    counties = {"320506": regions["wuzhong"], "320507": regions["xiangcheng"]}
    county_units = {"320506": units["wuzhong"], "320507": units["xiangcheng"]}
    for code, name in MORE_COUNTIES:
        counties[code] = make_region(code, name, Level.COUNTY, regions["city"])
        county_units[code] = Unit.objects.create(
            name=f"{name}卫生监督所",
            kind=UnitKind.SUPERVISION_INSTITUTE,
            region=counties[code],
            parent=units["city"],
        )
    inspectors = {"320506": [personas["alice"], personas["bob"]], "320507": [personas["carol"]]}
    inspectors["320507"].append(make_user("erin", units["xiangcheng"], Role.INSPECTOR, "蒋宁", "32050701002"))
    chiefs = {
        "320506": personas["chief"],
        "320507": make_user("xchief", units["xiangcheng"], Role.CHIEF, "顾长青"),
    }
    for code, name in MORE_COUNTIES:
        unit = county_units[code]
        inspectors[code] = [
            make_user(f"i{code}a", unit, Role.INSPECTOR, f"{name}甲", f"{code}01001"),
            make_user(f"i{code}b", unit, Role.INSPECTOR, f"{name}乙", f"{code}01002"),
        ]
        chiefs[code] = make_user(f"c{code}", unit, Role.CHIEF, f"{name}科长")
    return {"counties": counties, "units": county_units, "inspectors": inspectors, "chiefs": chiefs}


def make_site(region, name, *, border=False, joint=True):
    return Subject.objects.create(
        name=name,
        kind=SubjectKind.UNLICENSED_CLINIC,
        address=f"{region.full_name}某路1号",
        region=region,
        border_area=border,
        needs_joint_action=joint,
    )
