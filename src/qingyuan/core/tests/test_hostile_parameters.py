"""Hostile query parameters never cause a 5xx: every list page and API endpoint is opened with each of
its parameters set to numbers out of any range, huge and negative ids, impossible years, markup, a
NUL byte, an empty and a very long value. Bad input is a 400 (API) or the page with the filter form's
error, never a server error (SECURITY.md, Input and files)."""

import re

import pytest

from qingyuan.core.filters import YEARS

from .routes import all_routes

HOSTILE = [
    "-1",
    "0",
    "1e309",
    "-1.4e+176",
    "NaN",
    "9" * 40,
    "& < > = 𠮷",
    "\x00",
    "%00",
    "",
    "2024-02-30",
    "x" * 5000,
]
# Pages whose path needs a real argument: a report form by its code.
EXTRA_PAGES = ["/reports/form/S003-A1/", "/reports/form/S003-A1/drill/", "/reports/form/S004-Q/"]
PERSONAS = ("chief", "dave", "aud", "sam", "sec")


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = _schema()
# The API's GET endpoints without a path argument (lists, look-ups, the forms catalogue), from the
# OpenAPI schema: the router's own patterns are regular expressions.
API_LISTS = [path for path, item in SCHEMA["paths"].items() if "get" in item and "{" not in path]
ROUTES = (
    [path for path, _name in all_routes() if "/1" not in path and "320506" not in path and "^" not in path]
    + EXTRA_PAGES
    + API_LISTS
)


def _page_parameters(html: str) -> set[str]:
    """The names of the fields of the page's GET forms (the filters), plus the page number."""
    names = {"page"}
    for form in re.findall(r"<form\b(?![^>]*method=\"post\")[^>]*>(.*?)</form>", html, flags=re.S | re.I):
        names.update(re.findall(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", form))
    names.discard("csrfmiddlewaretoken")
    return names


def _api_parameters(schema: dict, path: str) -> set[str]:
    operation = schema["paths"].get(path, {}).get("get", {})
    return {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"} | {"page"}


@pytest.fixture
def clients(login):
    made = {}
    for name in PERSONAS:
        made[name] = login(name)
        made[name].raise_request_exception = False
    return made


def _opened(clients, path):
    """The first persona who may open `path`, with the page."""
    for name in PERSONAS:
        response = clients[name].get(path)
        # An API look-up without its required parameters answers 400: it is open, and fuzzed too.
        if response.status_code == 200 or (path.startswith("/api/v1/") and response.status_code == 400):
            return clients[name], response
    return None, None


@pytest.mark.parametrize("path", ROUTES)
def test_hostile_query_parameters_never_cause_a_server_error(clients, path):
    client, response = _opened(clients, path)
    if client is None:
        pytest.skip("no persona opens this address without arguments")
    content_type = response.get("Content-Type", "")
    if path.startswith("/api/v1/"):
        names = _api_parameters(SCHEMA, path)
    elif content_type.startswith("text/html"):
        names = _page_parameters(response.content.decode())
    else:
        pytest.skip("not a page or an API list")
    failures = []
    for name in sorted(names):
        for value in HOSTILE:
            answer = client.get(path, {name: value})
            if answer.status_code >= 500:
                failures.append((name, value[:20], answer.status_code))
            elif path.startswith("/api/") and answer.status_code == 400:
                # The API's one error shape (api/errors.py), in Chinese.
                body = answer.json()
                assert body["code"] == "invalid" and body["errors"], (path, name, body)
                assert re.search(r"[\u4e00-\u9fff]", body["message"]), (path, name, body)
    assert not failures, failures


def test_year_out_of_range_is_a_form_error_on_the_case_list(login):
    client = login("chief")
    for year in ("-1", "32050", "9" * 40):
        response = client.get("/cases/", {"year": year})
        assert response.status_code == 400
        assert f"{YEARS[1]}" in response.content.decode() or f"{YEARS[0]}" in response.content.decode()


def test_api_refuses_a_huge_negative_id_with_a_400_naming_the_parameter(login):
    response = login("chief").get("/api/v1/registry/practitioners/", {"institution": "-1.4e+176"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "institution"
    assert re.search(r"[\u4e00-\u9fff]", body["message"])


def test_a_forty_digit_record_id_is_an_invalid_choice(login):
    client = login("chief")
    client.raise_request_exception = True
    assert client.get("/cases/", {"campaign": "9" * 40}).status_code == 400
    assert client.get("/subjects/", {"page": "9" * 40}).status_code in (200, 404)


def test_a_nul_byte_in_a_search_box_is_refused_before_the_database(login):
    """PostgreSQL text cannot hold NUL; a view reading request.GET itself never sees one."""
    client = login("chief")
    response = client.get("/cases/new/", {"q": "张\x00三"})
    assert response.status_code == 400 and "空字符" in response.content.decode()
    response = client.get("/api/v1/leads/", {"search": "\x00"})
    assert response.status_code == 400 and response.json()["field"] == "search"
