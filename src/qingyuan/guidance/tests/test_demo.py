"""The demo's province set of guide pages: every topic, published, shown to a county's residents."""

from django.urls import reverse

from qingyuan.guidance.demo import load_demo_guidance
from qingyuan.guidance.models import GuidePage, Topic


def test_demo_publishes_every_topic_for_the_province_once(client, regions):
    load_demo_guidance()
    load_demo_guidance()
    pages = GuidePage.objects.filter(region=regions["province"])
    assert sorted(pages.values_list("topic", flat=True)) == sorted(Topic.values)
    assert all(p.current and p.current.number == 1 for p in pages)
    text = client.get(
        reverse("guidance_public:page", args=["aesthetic"]), {"region": "320506"}
    ).content.decode()
    assert "美容院" in text and "证照查询" in text
