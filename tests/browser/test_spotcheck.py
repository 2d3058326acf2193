"""Through a real Chromium at phone width: a 监督员 of 相城区 drawn for the city's spot check of 吴中区
logs in, follows the item on her home page to the plan, records a result for a drawn clinic and sees
it in the table. Permission follows the draw: her role alone (监督员) would not let her record."""

import pytest
from playwright.sync_api import expect

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.operations import services
from qingyuan.operations.models import Population
from qingyuan.registry.models import Institution

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(personas, regions, units):
    make_user("erin", units["xiangcheng"], Role.INSPECTOR, "蒋宁", "32050701002")
    Institution.objects.create(
        name="金星诊所", category="clinic", licence_no="L1", address="某路", region=regions["village"]
    )
    plan = services.spotcheck_create(
        actor=personas["dave"],
        region=regions["wuzhong"],
        name="市级双随机抽查",
        population=Population.INSTITUTIONS,
        seed=11,
    )
    return services.spotcheck_draw(actor=personas["dave"], plan=plan)


def test_drawn_inspector_records_a_result_from_her_home_page(new_page, log_in, personas, plan):
    carol = personas["carol"]
    assert carol.role == Role.INSPECTOR and plan.inspectors.filter(pk=carol.pk).exists()
    page = new_page(width=375, height=800)
    log_in(page, "carol")

    page.get_by_role(
        "link", name="督查抽查“市级双随机抽查”：您被抽中为督查人员，待记录1个对象的检查结果"
    ).click()
    expect(page.locator("h1")).to_contain_text("市级双随机抽查")
    expect(page.locator("#spotcheck-drawn")).to_be_visible()

    row = page.locator("#spotcheck-items tbody tr", has_text="金星诊所")
    row.get_by_label("检查结果").fill("证照齐全，执业范围相符")
    row.get_by_label("结论").select_option("0")
    row.get_by_role("button", name="记录").click()

    expect(page.locator(".alert-success")).to_contain_text("已记录检查结果")
    row = page.locator("#spotcheck-items tbody tr", has_text="金星诊所")
    expect(row).to_contain_text("证照齐全，执业范围相符")
    expect(row).to_contain_text("不合格")
    expect(row).to_contain_text("陈可")
    expect(page.locator("#spotcheck-progress")).to_contain_text("已全部记录")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    item = plan.items.get()
    item.refresh_from_db()
    assert item.recorded_by == carol and item.compliant is False
    assert page.bad_responses == []
