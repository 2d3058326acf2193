"""Editors write the public guide of their own region: drafts, preview, publishing, history, audit.
Personas: chief (吴中区 科室负责人), xc_chief (相城区), sam (苏州市 系统管理员), alice (吴中区 监督员)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditAction, AuditEvent
from qingyuan.guidance import services
from qingyuan.guidance.models import GuidePage, GuideVersion
from qingyuan.regions.models import Unit, UnitKind

from .factories import make_page

HOSTILE = "& < > = 𠮷 <script>alert(1)</script>"


@pytest.fixture
def xc_chief(personas, units):
    return make_user("xc_chief", units["xiangcheng"], Role.CHIEF, "蒋志远")


@pytest.fixture
def wz_page(personas, regions):
    return services.page_create(
        actor=personas["chief"],
        region=regions["wuzhong"],
        topic="aesthetic",
        title="吴中区提示",
        body="第一稿",
    )


def _page_audit(page):
    return list(
        AuditEvent.objects.filter(target_type__icontains="guidepage", target_id=str(page.pk))
        .order_by("pk")
        .values_list("action", "actor_id")
    )


def test_county_chief_writes_publishes_and_keeps_history(personas, wz_page):
    chief = personas["chief"]
    services.page_publish(actor=chief, page=wz_page)
    services.page_edit(actor=chief, page=wz_page, title="吴中区提示（修订）", body="第二稿")
    services.page_publish(actor=chief, page=wz_page)
    wz_page.refresh_from_db()
    versions = list(
        wz_page.versions.order_by("number").values_list("number", "title", "body", "published_by")
    )
    assert versions == [(1, "吴中区提示", "第一稿", chief.pk), (2, "吴中区提示（修订）", "第二稿", chief.pk)]
    assert wz_page.current.number == 2
    assert wz_page.first_published_at == wz_page.versions.get(number=1).published_at
    assert _page_audit(wz_page) == [
        (AuditAction.CREATE, chief.pk),
        (AuditAction.TRANSITION, chief.pk),
        (AuditAction.UPDATE, chief.pk),
        (AuditAction.TRANSITION, chief.pk),
    ]


def test_publishing_an_unchanged_draft_is_refused(personas, wz_page):
    services.page_publish(actor=personas["chief"], page=wz_page)
    with pytest.raises(Exception, match="无需再次发布"):
        services.page_publish(actor=personas["chief"], page=wz_page)
    assert GuideVersion.objects.filter(page=wz_page).count() == 1


def test_neighbouring_county_chief_cannot_change_or_even_open_the_page(xc_chief, wz_page):
    with pytest.raises(PermissionDenied):
        services.page_edit(actor=xc_chief, page=wz_page, title="篡改", body="篡改")
    with pytest.raises(PermissionDenied):
        services.page_publish(actor=xc_chief, page=wz_page)
    from django.test import Client

    client = Client()
    client.force_login(xc_chief)
    for name in ("detail", "edit", "preview"):
        assert client.get(reverse(f"guidance:{name}", args=[wz_page.pk])).status_code == 404
    assert client.post(reverse("guidance:publish", args=[wz_page.pk])).status_code == 404
    wz_page.refresh_from_db()
    assert wz_page.title == "吴中区提示" and wz_page.current is None


def test_county_chief_cannot_write_for_the_city_or_a_neighbouring_county(personas, regions):
    for region in (regions["city"], regions["xiangcheng"]):
        with pytest.raises(PermissionDenied):
            services.page_create(
                actor=personas["chief"], region=region, topic="itinerant", title="标题", body="正文"
            )
    assert not GuidePage.objects.exists()


def test_city_administrator_reads_the_province_page_but_does_not_change_it(login, personas, regions):
    page = make_page(regions["province"])
    client = login("sam")
    assert client.get(reverse("guidance:detail", args=[page.pk])).status_code == 200
    assert client.get(reverse("guidance:edit", args=[page.pk])).status_code == 403
    assert client.post(reverse("guidance:unpublish", args=[page.pk])).status_code == 403
    page.refresh_from_db()
    assert page.current is not None


def test_city_administrator_writes_for_a_county_of_the_city(personas, regions):
    page = services.page_create(
        actor=personas["sam"], region=regions["xiangcheng"], topic="itinerant", title="相城区", body="正文"
    )
    services.page_publish(actor=personas["sam"], page=page)
    assert page.versions.get().published_by == personas["sam"]


@pytest.mark.parametrize("name", ["alice", "dave", "clerk", "aud"])
def test_roles_without_guidance_management_are_refused(login, name, wz_page):
    client = login(name)
    assert client.get(reverse("guidance:list")).status_code == 403
    assert client.post(reverse("guidance:publish", args=[wz_page.pk])).status_code == 403
    assert not GuideVersion.objects.exists()


def test_anonymous_visitor_is_sent_to_login_for_the_preview(client, wz_page):
    response = client.get(reverse("guidance:preview", args=[wz_page.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_draft_is_previewed_but_not_public_until_published(client, login, personas, regions, wz_page):
    chief = personas["chief"]
    public = reverse("guidance_public:page", args=["aesthetic"]) + "?region=320506"
    assert client.get(public).status_code == 404
    preview = login("chief").get(reverse("guidance:preview", args=[wz_page.pk]))
    assert "第一稿" in preview.content.decode() and "预览" in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]
    services.page_publish(actor=chief, page=wz_page)
    services.page_edit(actor=chief, page=wz_page, title="吴中区提示", body="尚未发布的第二稿")
    text = client.get(public).content.decode()
    assert "第一稿" in text and "第二稿" not in text


def test_unpublishing_lets_the_province_speak_for_the_county_again(client, personas, regions, wz_page):
    make_page(regions["province"], topic="aesthetic", title="省里的医美提示", body="省里的正文")
    services.page_publish(actor=personas["chief"], page=wz_page)
    public = reverse("guidance_public:page", args=["aesthetic"]) + "?region=320506"
    assert "第一稿" in client.get(public).content.decode()
    services.page_unpublish(actor=personas["chief"], page=wz_page)
    text = client.get(public).content.decode()
    assert "省里的正文" in text and "第一稿" not in text
    assert wz_page.versions.count() == 1  # the history keeps what was once published


def test_hostile_text_in_a_bad_form_is_kept_and_named(login, regions):
    client = login("chief")
    response = client.post(
        reverse("guidance:create"), {"region": "320506", "topic": "itinerant", "title": "", "body": HOSTILE}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "这个字段是必填项" in text or "必填" in text
    assert "&amp; &lt; &gt; = 𠮷 &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert not GuidePage.objects.exists()


def test_second_page_on_the_same_topic_and_region_is_refused_on_the_topic_field(login, wz_page):
    response = login("chief").post(
        reverse("guidance:create"),
        {"region": "320506", "topic": "aesthetic", "title": "重复", "body": "正文"},
    )
    assert response.status_code == 400
    assert "该地区已有这一主题的指南" in response.content.decode()
    assert GuidePage.objects.count() == 1


def test_the_create_form_offers_only_the_editors_own_regions(login, regions):
    text = login("chief").get(reverse("guidance:create")).content.decode()
    assert 'value="320506"' in text
    assert 'value="320507"' not in text and 'value="320500"' not in text


def test_editor_finds_guidance_in_the_navigation_and_inspector_does_not(login):
    assert reverse("guidance:list") in login("chief").get(reverse("core:home")).content.decode()
    assert reverse("guidance:list") not in login("alice").get(reverse("core:home")).content.decode()


def test_history_versions_are_readable_by_the_editor(login, personas, wz_page):
    services.page_publish(actor=personas["chief"], page=wz_page)
    client = login("chief")
    detail = client.get(reverse("guidance:detail", args=[wz_page.pk])).content.decode()
    assert "第1版" in detail and "孙志强" in detail
    version = client.get(reverse("guidance:version", args=[wz_page.pk, 1])).content.decode()
    assert "历史版本：第1版" in version and "第一稿" in version


def test_a_unit_without_a_region_above_is_not_needed_to_publish(regions):
    # The province page of the demo is written by the system: no editor, audited with no actor.
    Unit.objects.create(
        name="江苏省卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=regions["province"]
    )
    page = make_page(regions["province"])
    assert page.current.published_by is None
    assert _page_audit(page) == [(AuditAction.CREATE, None), (AuditAction.TRANSITION, None)]
    assert make_page(regions["province"]) is None  # loaders never overwrite an edited page
