"""The public guide as a resident sees it: the nearest region's page wins, the campaign hotlines in
force for the area, the reward rules, hostile text and parameters."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qingyuan.guidance import markup, services

from .factories import make_campaign, make_page, make_standard

HOSTILE = "& < > = 𠮷 <b>粗</b>"


def page_url(topic, region=None):
    return reverse("guidance_public:page", args=[topic]) + (f"?region={region}" if region else "")


@pytest.fixture
def province_set(regions):
    return {
        topic: make_page(regions["province"], topic=topic, title=f"省·{topic}", body=f"省里的{topic}正文")
        for topic in ("black-clinic", "aesthetic", "how-to-report")
    }


def test_index_lists_the_published_topics_and_links_the_tip_form(client, province_set):
    text = client.get(reverse("guidance_public:index")).content.decode()
    for topic in province_set:
        assert page_url(topic) in text
    assert reverse("portal:tip") in text
    assert page_url("itinerant") not in text  # nothing published on it


def test_public_home_links_the_guide(client, regions):
    assert reverse("guidance_public:index") in client.get(reverse("portal:home")).content.decode()


def test_county_page_overrides_the_province_page_in_that_county_only(client, personas, regions, province_set):
    county = services.page_create(
        actor=personas["chief"],
        region=regions["wuzhong"],
        topic="aesthetic",
        title="吴中医美",
        body="吴中区的正文",
    )
    services.page_publish(actor=personas["chief"], page=county)
    wuzhong = client.get(page_url("aesthetic", "320506")).content.decode()
    assert "吴中区的正文" in wuzhong and "省里的aesthetic正文" not in wuzhong
    # Other topics in 吴中区 still come from the province; 相城区 and the whole installation keep it.
    assert "省里的black-clinic正文" in client.get(page_url("black-clinic", "320506")).content.decode()
    for region in ("320507", None):
        text = client.get(page_url("aesthetic", region)).content.decode()
        assert "省里的aesthetic正文" in text and "吴中区的正文" not in text


def test_city_page_applies_to_its_counties_below(client, personas, regions, province_set):
    city = services.page_create(
        actor=personas["sam"],
        region=regions["city"],
        topic="black-clinic",
        title="苏州黑诊所",
        body="苏州市的正文",
    )
    services.page_publish(actor=personas["sam"], page=city)
    assert "苏州市的正文" in client.get(page_url("black-clinic", "320507")).content.decode()


def test_page_shows_first_published_and_last_updated_dates(client, personas, regions):
    page = services.page_create(
        actor=personas["chief"], region=regions["wuzhong"], topic="itinerant", title="游医", body="一"
    )
    first = services.page_publish(actor=personas["chief"], page=page)
    type(first).objects.filter(pk=first.pk).update(
        published_at=timezone.make_aware(dt.datetime(2025, 3, 1, 9))
    )
    type(page).objects.filter(pk=page.pk).update(
        first_published_at=timezone.make_aware(dt.datetime(2025, 3, 1, 9))
    )
    services.page_edit(actor=personas["chief"], page=page, title="游医", body="二")
    services.page_publish(actor=personas["chief"], page=page)
    text = client.get(page_url("itinerant", "320506")).content.decode()
    today = timezone.localdate()
    assert "首次发布 2025年3月1日" in text
    assert f"最近更新 {today.year}年{today.month}月{today.day}日" in text


def test_hostile_text_round_trips_escaped(client, personas, regions):
    page = services.page_create(
        actor=personas["chief"],
        region=regions["wuzhong"],
        topic="fake-tcm",
        title=HOSTILE,
        body=f"## {HOSTILE}\n- {HOSTILE}\n\n{HOSTILE}",
    )
    services.page_publish(actor=personas["chief"], page=page)
    text = client.get(page_url("fake-tcm", "320506")).content.decode()
    escaped = "&amp; &lt; &gt; = 𠮷 &lt;b&gt;粗&lt;/b&gt;"
    assert text.count(escaped) >= 4  # title, heading, list item, paragraph
    assert "<b>粗</b>" not in text


def test_markup_makes_headings_lists_and_paragraphs():
    blocks = markup.blocks("第一段\n第一段续\n\n## 小标题\n- 甲\n- 乙\n\n第二段")
    assert [(b.kind, b.lines) for b in blocks] == [
        ("paragraph", ["第一段", "第一段续"]),
        ("heading", ["小标题"]),
        ("list", ["甲", "乙"]),
        ("paragraph", ["第二段"]),
    ]


def test_campaign_hotline_is_shown_only_while_in_force_and_only_where_it_applies(
    client, regions, units, province_set
):
    today = timezone.localdate()
    make_campaign(
        regions["wuzhong"],
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
        hotline="0512-11111111",
    )
    make_campaign(
        regions["city"],
        starts_on=today - dt.timedelta(days=30),
        ends_on=today - dt.timedelta(days=1),
        hotline="0512-22222222",
    )
    make_campaign(
        regions["city"],
        starts_on=today + dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=30),
        hotline="0512-33333333",
    )
    make_campaign(regions["city"], starts_on=today, ends_on=today, hotline="0512-44444444", published=False)
    make_campaign(regions["city"], starts_on=today, ends_on=today, hotline="", email="city@example.gov.cn")
    wuzhong = client.get(page_url("black-clinic", "320506")).content.decode()
    assert "0512-11111111" in wuzhong and "city@example.gov.cn" in wuzhong
    for absent in ("0512-22222222", "0512-33333333", "0512-44444444"):
        assert absent not in wuzhong
    xiangcheng = client.get(page_url("black-clinic", "320507")).content.decode()
    assert "0512-11111111" not in xiangcheng and "city@example.gov.cn" in xiangcheng


def test_reward_rules_show_public_amounts_of_the_nearest_standard_only(client, regions, province_set):
    make_standard(regions["province"], amount_min="100", amount_max="3000", cap="10000", threshold="1500")
    make_standard(regions["city"], amount_min="200", amount_max="5000", cap="20000", threshold="1234")
    text = client.get(page_url("how-to-report", "320506")).content.decode()
    assert "每件 200 至 5000 元" in text and "最高 20000 元" in text
    assert "1234" not in text and "内部说明" not in text  # the approval amount and notes stay inside
    assert "每件 100 至 3000 元" not in text  # the city's scale replaces the province's
    # No area chosen, no unit in the database: the installation is the province, whose scale applies.
    assert "每件 100 至 3000 元" in client.get(page_url("how-to-report")).content.decode()


@pytest.mark.parametrize("value", ["<script>", "999999", "320506100", "' OR 1=1", "𠮷" * 50])
def test_a_bad_region_parameter_shows_the_whole_installation_with_a_message(client, province_set, value):
    response = client.get(reverse("guidance_public:page", args=["black-clinic"]), {"region": value})
    assert response.status_code == 200
    text = response.content.decode()
    assert "所在地区：没有这个地区" in text and "省里的black-clinic正文" in text


def test_a_nul_byte_in_the_region_is_refused_before_the_database(client, province_set):
    response = client.get(reverse("guidance_public:page", args=["black-clinic"]), {"region": "32\x0006"})
    assert response.status_code == 400


def test_unknown_topic_and_unpublished_topic_are_not_found(client, province_set):
    assert client.get(page_url("nope")).status_code == 404
    assert client.get(page_url("itinerant")).status_code == 404


def test_no_phone_or_id_number_of_the_editor_reaches_the_public_page(client, personas, regions):
    page = services.page_create(
        actor=personas["chief"], region=regions["wuzhong"], topic="itinerant", title="游医", body="正文"
    )
    services.page_publish(actor=personas["chief"], page=page)
    text = client.get(page_url("itinerant", "320506")).content.decode()
    assert "孙志强" not in text and personas["chief"].username not in text
