"""A partner system mirrors the licence register of its unit's jurisdiction through the sync cursor:
whatever is written between its requests, every record arrives, none is served twice in the same
state, rows sharing one timestamp are all served, and another county's rows never come."""

from django.utils import timezone

from qingyuan.registry.models import Institution

from .conftest import partner_client

URL = "/api/v1/registry/institutions/"
EPOCH = "2000-01-01T00:00:00+08:00"


def _institution(region, n, **extra):
    return Institution.objects.create(
        name=f"木渎第{n}诊所",
        category="clinic",
        licence_no=f"PDY{region.code}{n:05d}",
        address=f"木渎镇{n}号",
        region=region,
        **extra,
    )


def test_partner_syncs_everything_while_rows_change_between_pages(hotline, regions):
    _partner, key = hotline
    ours = [_institution(regions["village"], n) for n in range(23)]
    theirs = [_institution(regions["xc_village"], 100 + n) for n in range(3)]
    # Ten rows written in one instant (an import): the cursor must tell them apart by id.
    same = timezone.now() - timezone.timedelta(hours=1)
    Institution.objects.filter(pk__in=[i.pk for i in ours[5:15]]).update(updated_at=same)
    client = partner_client(key)

    served = []  # (id, updated_at, name) in the order received
    response = client.get(URL, {"updated_since": EPOCH, "page_size": 4})
    pages = 0
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        served += [(r["id"], r["updated_at"], r["name"], r["status"]) for r in body["results"]]
        pages += 1
        if pages == 2:
            # Between pages: one row not yet served changes, one already served changes, one is new,
            # and a row of 相城区 changes (it must still never come).
            pending = next(i for i in ours if i.pk not in {s[0] for s in served})
            pending.name = "改名后的诊所"
            pending.save()
            done = Institution.objects.get(pk=served[0][0])
            done.status = "cancelled"
            done.save()
            ours.append(_institution(regions["village"], 99))
            theirs[0].save()
        if body["next"] is None:
            break
        assert body["next_cursor"] and body["count"] is None
        response = client.get(body["next"])

    ids = [s[0] for s in served]
    assert set(ids) == {i.pk for i in ours}, "every record of the jurisdiction arrived"
    assert not {t.pk for t in theirs} & set(ids), "no record of another county"
    assert len(set(served)) == len(served), "no record served twice in the same state"
    assert ids.count(done.pk) == 2 and ids.count(pending.pk) == 1
    # The last state served is the state in the database.
    last = {pk: (name, status) for pk, _at, name, status in served}
    assert last[pending.pk][0] == "改名后的诊所"
    assert last[done.pk][1] == "cancelled"
    assert len(ids) == len(ours) + 1

    # Resuming later from the last cursor: nothing new, then exactly what changed since.
    cursor = body["next_cursor"]
    assert client.get(URL, {"cursor": cursor}).json()["results"] == []
    ours[3].save()
    again = client.get(URL, {"cursor": cursor}).json()
    assert [r["id"] for r in again["results"]] == [ours[3].pk] and again["next"] is None


def test_updated_since_keeps_only_later_changes(hotline, regions):
    _partner, key = hotline
    old = _institution(regions["village"], 1)
    Institution.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timezone.timedelta(days=3))
    new = _institution(regions["village"], 2)
    since = (timezone.now() - timezone.timedelta(days=1)).isoformat()
    body = partner_client(key).get(URL, {"updated_since": since}).json()
    assert [r["id"] for r in body["results"]] == [new.pk]


def test_rows_written_in_the_last_seconds_wait_for_the_next_call(hotline, regions, settings):
    """A write's time is taken before it commits: the newest seconds are served on a later call."""
    settings.QINGYUAN_API_SYNC_SETTLE_SECONDS = 5
    _partner, key = hotline
    settled = _institution(regions["village"], 1)
    Institution.objects.filter(pk=settled.pk).update(
        updated_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    _institution(regions["village"], 2)
    body = partner_client(key).get(URL, {"updated_since": EPOCH}).json()
    assert [r["id"] for r in body["results"]] == [settled.pk]


def test_page_size_is_the_clients_choice_up_to_the_maximum(hotline, regions, settings):
    _partner, key = hotline
    client = partner_client(key)
    for n in range(5):
        _institution(regions["village"], n)
    assert len(client.get(URL, {"page_size": 3}).json()["results"]) == 3
    assert client.get(URL, {"page_size": 3}).json()["count"] == 5
    assert len(client.get(URL, {"page_size": 1000}).json()["results"]) == 5
    for bad in ("1001", "0", "-5", "abc", "9" * 40):
        response = client.get(URL, {"page_size": bad})
        body = response.json()
        assert response.status_code == 400, bad
        assert body["code"] == "invalid" and body["field"] == "page_size"
        assert "每页条数" in body["message"] and "1000" in body["message"]
    settings.QINGYUAN_API_MAX_PAGE_SIZE = 2
    assert client.get(URL, {"page_size": 3}).status_code == 400


def test_bad_cursor_and_bad_since_are_named(hotline):
    _partner, key = hotline
    client = partner_client(key)
    body = client.get(URL, {"cursor": "forged"}).json()
    assert body["field"] == "cursor" and "next_cursor" in body["message"]
    body = client.get(URL, {"updated_since": "昨天 & < > = 𠮷"}).json()
    assert body["field"] == "updated_since" and "ISO 8601" in body["message"]
