from django.test import Client


def _locate(place):
    return Client().get("/public/tip/locate/", {"place": place})


def test_locate_names_the_place_and_the_county_unit(units):
    page = _locate("苏州吴中木渎金星村").content.decode()
    assert "识别为：江苏省苏州市吴中区木渎镇金星村委会，将由吴中区卫生监督所处理" in page


def test_locate_sends_a_border_area_to_the_city(units):
    page = _locate("木渎镇和黄埭镇交界处").content.decode()
    assert "地址涉及多个区县，将由市级统一分派" in page and "苏州市卫生健康委员会" in page


def test_locate_asks_for_more_when_nothing_is_recognised(units, settings):
    settings.QINGYUAN_PORTAL_DEFAULT_UNIT = None
    page = _locate("我家楼下").content.decode()
    assert "未能识别，请补充区县、乡镇名称" in page


def test_locate_is_rate_limited(units, settings):
    settings.QINGYUAN_PORTAL_RATES = {**settings.QINGYUAN_PORTAL_RATES, "locate": (3, 600)}
    client = Client()
    for _ in range(3):
        assert client.get("/public/tip/locate/", {"place": "吴中区"}).status_code == 200
    response = client.get("/public/tip/locate/", {"place": "吴中区"})
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) == 600
