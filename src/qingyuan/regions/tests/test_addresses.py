import threading

import pytest

from qingyuan.conftest import make_region
from qingyuan.regions import addresses
from qingyuan.regions.addresses import city_office_unit, jurisdiction_unit, name_forms, resolve_address
from qingyuan.regions.models import Level, Region, Unit, UnitKind


@pytest.fixture(autouse=True)
def _fresh_index():
    addresses.clear_address_index()
    yield
    addresses.clear_address_index()


@pytest.fixture
def tree(regions):
    """The shared fixture plus a same-named 金星村 in 相城区, a county-level city, a 街道 and two 朝阳区."""
    extra = {
        "xc_jinxing": make_region("320507100202", "金星村委会", Level.VILLAGE, regions["xc_town"]),
        "changshu": make_region("320581", "常熟市", Level.COUNTY, regions["city"]),
        "changqiao": make_region("320506001", "长桥街道", Level.TOWNSHIP, regions["wuzhong"]),
        "beijing": make_region("110000", "北京市", Level.PROVINCE),
        "jilin": make_region("220000", "吉林省", Level.PROVINCE),
    }
    extra["bj_chaoyang"] = make_region("110105", "朝阳区", Level.COUNTY, extra["beijing"])
    extra["changchun"] = make_region("220100", "长春市", Level.CITY, extra["jilin"])
    extra["cc_chaoyang"] = make_region("220104", "朝阳区", Level.COUNTY, extra["changchun"])
    return {**regions, **extra}


def codes(regions):
    return [r.code for r in regions]


class TestShortForms:
    def test_short_forms_drop_the_kind_of_place(self):
        assert set(name_forms("江苏省", Level.PROVINCE)) == {"江苏省", "江苏"}
        assert set(name_forms("吴中区", Level.COUNTY)) == {"吴中区", "吴中"}
        assert set(name_forms("常熟市", Level.COUNTY)) == {"常熟市", "常熟"}
        assert set(name_forms("长桥街道", Level.TOWNSHIP)) == {"长桥街道", "长桥"}
        assert set(name_forms("金星村委会", Level.VILLAGE)) == {"金星村委会", "金星村", "金星"}
        assert set(name_forms("山塘社区居委会", Level.VILLAGE)) == {"山塘社区居委会", "山塘社区", "山塘"}

    def test_short_forms_drop_ethnic_names_of_autonomous_places(self):
        assert "内蒙古" in name_forms("内蒙古自治区", Level.PROVINCE)
        assert "广西" in name_forms("广西壮族自治区", Level.PROVINCE)
        assert {"延边", "延边州"} <= set(name_forms("延边朝鲜族自治州", Level.CITY))
        assert {"双江", "双江县"} <= set(name_forms("双江拉祜族佤族布朗族傣族自治县", Level.COUNTY))
        assert "东乡" in name_forms("东乡族自治县", Level.COUNTY)

    def test_short_forms_have_at_least_two_characters(self):
        assert set(name_forms("城区", Level.COUNTY)) == {"城区"}


class TestResolution:
    def test_full_village_address_with_house_number(self, tree):
        r = resolve_address("苏州市吴中区木渎镇金星村12号")
        assert r.region == tree["village"]
        assert r.level == Level.VILLAGE
        assert not r.ambiguous
        assert [(reg.code, text) for reg, text in r.matched] == [
            ("320500", "苏州市"),
            ("320506", "吴中区"),
            ("320506100", "木渎镇"),
            ("320506100201", "金星村"),
        ]
        assert r.explanation == "识别为：江苏省苏州市吴中区木渎镇金星村委会"

    def test_county_and_village_pick_the_village_of_that_county(self, tree):
        r = resolve_address("吴中区金星村")
        assert r.region == tree["village"]
        assert not r.ambiguous

    def test_short_forms_with_ancestors_beat_a_same_named_village_elsewhere(self, tree):
        r = resolve_address("苏州吴中木渎金星村")
        assert r.region == tree["village"]
        assert [text for _, text in r.matched] == ["苏州", "吴中", "木渎", "金星村"]

    def test_same_named_village_without_ancestor_is_ambiguous(self, tree):
        r = resolve_address("金星村附近有人无证行医")
        assert r.ambiguous
        assert set(codes(r.candidates)) == {"320506100201", "320507100202"}
        assert r.region == tree["city"]  # the common ancestor: the city assigns it
        assert r.explanation == "“金星村”在吴中区和相城区均有，无法确定，将由市级统一分派"

    def test_province_and_city(self, tree):
        r = resolve_address("江苏省苏州市")
        assert r.region == tree["city"]
        assert r.level == Level.CITY
        assert not r.ambiguous
        assert "未能确定区县" in r.explanation

    def test_province_alone(self, tree):
        r = resolve_address("江苏")
        assert r.region == tree["province"]
        assert r.level == Level.PROVINCE

    def test_county_alone(self, tree):
        r = resolve_address("吴中区某小区")
        assert r.region == tree["wuzhong"]
        assert r.level == Level.COUNTY

    def test_county_level_city_by_short_form(self, tree):
        assert resolve_address("常熟虞山某诊所").region == tree["changshu"]

    def test_township_alone_when_unique(self, tree):
        r = resolve_address("黄埭镇")
        assert r.region == tree["xc_town"]
        assert r.level == Level.TOWNSHIP
        assert resolve_address("长桥附近").region == tree["changqiao"]

    def test_unique_village_alone_resolves_fully(self, tree):
        r = resolve_address("山塘社区")
        assert r.region == tree["community"]
        assert r.explanation == "识别为：江苏省苏州市吴中区木渎镇山塘社区居委会"

    def test_bare_village_stem_needs_an_ancestor(self, tree):
        # "山塘" alone could be any street or shop name; next to 木渎 it is the community.
        assert resolve_address("山塘").region is None
        assert resolve_address("木渎山塘").region == tree["community"]

    def test_short_county_township_and_village(self, tree):
        r = resolve_address("相城黄埭镇三埂村东头")
        assert r.region == tree["xc_village"]
        assert not r.ambiguous
        assert [text for _, text in r.matched] == ["相城", "黄埭镇", "三埂村"]

    def test_municipality_district(self, tree):
        r = resolve_address("北京市朝阳区某小区")
        assert r.region == tree["bj_chaoyang"]
        assert not r.ambiguous
        assert r.explanation == "识别为：北京市朝阳区"

    def test_same_county_name_in_two_provinces_is_ambiguous(self, tree):
        r = resolve_address("朝阳区某小区")
        assert r.ambiguous
        assert set(codes(r.candidates)) == {"110105", "220104"}
        assert r.region is None
        assert "北京市朝阳区" in r.explanation and "吉林省长春市朝阳区" in r.explanation

    def test_a_name_in_many_places_is_listed_briefly(self, tree):
        for i, county in enumerate(["320581", "110105", "220104"]):
            town = make_region(f"{county}10{i}", f"新{i}镇", Level.TOWNSHIP, Region.objects.get(code=county))
            make_region(f"{county}10{i}201", "金星村委会", Level.VILLAGE, town)
        r = resolve_address("金星村")
        assert r.ambiguous and len(r.candidates) == 5
        assert r.region is None
        assert "等5处" in r.explanation

    def test_border_of_two_counties_is_ambiguous(self, tree):
        r = resolve_address("木渎镇和黄埭镇交界处")
        assert r.ambiguous
        assert set(codes(r.candidates)) == {"320506100", "320507100"}
        assert r.region == tree["city"]
        assert r.explanation == "地址同时涉及吴中区和相城区，无法确定，将由市级统一分派"

    def test_border_is_ambiguous_even_when_one_side_is_named_in_more_detail(self, tree):
        r = resolve_address("苏州吴中区木渎镇与黄埭镇交界")
        assert r.ambiguous
        assert set(codes(r.candidates)) == {"320506100", "320507100"}

    def test_a_lone_village_of_another_county_does_not_make_it_ambiguous(self, tree):
        r = resolve_address("吴中区木渎镇金星村，举报人原住三埂村")
        assert r.region == tree["village"]
        assert not r.ambiguous

    def test_unresolvable_address(self, tree):
        r = resolve_address("火星基地")
        assert r.region is None and r.level is None
        assert not r.ambiguous and r.candidates == [] and r.matched == []
        assert r.explanation == "未能识别地址所在地区，将由市级统一分派"

    def test_empty_address(self, tree):
        assert resolve_address("").region is None

    def test_spaces_are_ignored(self, tree):
        assert resolve_address("吴中区 木渎镇 金星村").region == tree["village"]

    def test_market_is_not_a_city(self, tree):
        # "常熟市场" is a market; "常熟" still names the city, weakly.
        r = resolve_address("吴中区木渎镇常熟市场旁")
        assert r.region == tree["town"]
        assert not r.ambiguous

    def test_street_named_after_a_place_is_not_the_place(self, tree):
        assert resolve_address("常熟路12号").region is None
        assert resolve_address("相城区吴中路").region == tree["xiangcheng"]
        assert resolve_address("长桥街道").region == tree["changqiao"]

    def test_aliases(self, tree):
        community = tree["community"]
        community.aliases = "香山花园，山塘新苑"
        community.save()
        assert resolve_address("吴中区香山花园3幢").region == community

    def test_retired_regions_are_not_matched(self, tree):
        changshu = tree["changshu"]
        changshu.is_active = False
        changshu.save()
        assert resolve_address("常熟市").region is None


class TestIndexCache:
    def test_index_is_rebuilt_when_a_region_is_added(self, tree, monkeypatch):
        # A thread with no uncommitted region changes uses the shared index.
        monkeypatch.setattr(addresses, "_local", threading.local())
        assert resolve_address("张家港").region is None
        assert addresses._cache is not None

        make_region("320582", "张家港市", Level.COUNTY, tree["city"])

        assert addresses._cache is None
        assert resolve_address("张家港").region.code == "320582"
        # Uncommitted in this transaction: not put into the shared index for other threads.
        assert addresses._cache is None

    def test_stale_index_entry_is_rebuilt(self, tree, monkeypatch):
        monkeypatch.setattr(addresses, "_local", threading.local())
        assert resolve_address("吴中区金星村").region == tree["village"]
        # A bulk delete sends no signal; the index still names the village.
        Region.objects.filter(code="320506100201")._raw_delete("default")
        r = resolve_address("吴中区金星村")
        assert r.region == tree["wuzhong"]

    def test_clear_address_index(self, tree, monkeypatch):
        monkeypatch.setattr(addresses, "_local", threading.local())
        resolve_address("吴中")
        addresses.clear_address_index()
        assert addresses._cache is None


class TestUnits:
    def test_village_goes_to_its_county_supervision_institute(self, tree, units):
        assert jurisdiction_unit(tree["village"]) == units["wuzhong"]
        assert jurisdiction_unit(tree["xc_village"]) == units["xiangcheng"]
        assert jurisdiction_unit(tree["wuzhong"]) == units["wuzhong"]

    def test_county_health_commission_when_no_supervision_institute(self, tree, units):
        commission = Unit.objects.create(
            name="常熟市卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=tree["changshu"]
        )
        assert jurisdiction_unit(tree["changshu"]) == commission
        institute = Unit.objects.create(
            name="常熟市卫生监督所", kind=UnitKind.SUPERVISION_INSTITUTE, region=tree["changshu"]
        )
        assert jurisdiction_unit(tree["changshu"]) == institute

    def test_county_without_units_goes_to_the_city(self, tree, units):
        assert jurisdiction_unit(tree["changshu"]) == units["city"]
        assert jurisdiction_unit(tree["changqiao"]) == units["wuzhong"]

    def test_inactive_unit_is_skipped(self, tree, units):
        units["wuzhong"].is_active = False
        units["wuzhong"].save()
        assert jurisdiction_unit(tree["village"]) == units["city"]

    def test_township_units_do_not_handle_leads(self, tree, units):
        Unit.objects.create(name="木渎镇卫生院", kind=UnitKind.TOWNSHIP_HOSPITAL, region=tree["town"])
        Unit.objects.create(name="木渎镇卫健办", kind=UnitKind.HEALTH_COMMISSION, region=tree["town"])
        assert jurisdiction_unit(tree["village"]) == units["wuzhong"]

    def test_municipality_district_goes_up_to_the_municipality(self, tree, units):
        bj = Unit.objects.create(
            name="北京市卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=tree["beijing"]
        )
        assert jurisdiction_unit(tree["bj_chaoyang"]) == bj
        assert city_office_unit(tree["bj_chaoyang"]) == bj

    def test_no_unit_anywhere(self, tree, units):
        assert jurisdiction_unit(tree["cc_chaoyang"]) is None
        assert city_office_unit(tree["cc_chaoyang"]) is None
        assert jurisdiction_unit(None) is None
        assert city_office_unit(None) is None

    def test_city_office_of_any_place_in_the_city(self, tree, units):
        for key in ("village", "xc_village", "wuzhong", "city", "changshu"):
            assert city_office_unit(tree[key]) == units["city"]

    def test_city_office_prefers_the_health_commission(self, tree, units):
        Unit.objects.create(name="苏州市卫生监督所", kind=UnitKind.SUPERVISION_INSTITUTE, region=tree["city"])
        assert city_office_unit(tree["village"]) == units["city"]

    def test_city_office_falls_back_to_the_province(self, tree, units):
        province = Unit.objects.create(
            name="江苏省卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=tree["province"]
        )
        units["city"].is_active = False
        units["city"].save()
        assert city_office_unit(tree["village"]) == province

    def test_border_address_routes_to_the_city_office(self, tree, units):
        r = resolve_address("木渎镇和黄埭镇交界处")
        assert city_office_unit(r.region) == units["city"]
