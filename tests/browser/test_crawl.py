"""Every page a persona can reach from the navigation, and one record behind each list, looked at in a real
Chromium at office width (1366 px) and phone width (375 px). A page fails on: English words on screen
outside a short allow-list, raw template syntax, sideways scrolling, a visible form control that has no
size or lies under another element, a JavaScript or Content-Security-Policy error, or a link that answers
404/500. All failures of one persona are reported together, so that one run shows everything."""

import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import Role
from qingyuan.core.tests.factories import load_demo_world
from qingyuan.regions.models import Unit, UnitKind

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo#2024pass"  # what load_demo_world gives every demo account
WIDTHS = (1366, 375)
MAX_PAGES = 45  # pages per persona (navigation + records); each is opened at both widths
MAX_LINKS = 120  # distinct links whose status is checked per persona
LINKS_PER_KIND = 3

# persona -> demo username (None: the public visitor, who starts on the public site)
PERSONAS = {
    "public": None,
    "clerk": "wz_clerk",
    "chief": "wz_chief",
    "inspector": "wz_inspector1",
    "county_leader": "wz_leader",
    "city_leader": "city_leader",
    "province_leader": "province_leader",
    "supervisor": "city_supervisor",
    "liaison": "police_liaison",
    "sysadmin": "admin",
}

# Product, format and unit names that stay in Latin letters in a Chinese interface.
ALLOWED_WORDS = {
    w.lower()
    for w in (
        "XLSX XLS PDF DOCX DOC CSV ZIP PNG JPG JPEG ID HTTPS HTTP API QR km kg g mg ml MB KB GB "
        "Excel Word WPS GPS APP JSON"
    ).split()
}
URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LATIN_RUN = re.compile(r"[A-Za-z0-9_.\-/:]+")
# Files, not pages: exports, and the documents (Word, and PDF made by LibreOffice: seconds each).
SKIP_LINK = re.compile(
    r"logout|download|export|/documents/|/receipts/|/pdf/|\.(?:xlsx|docx|pdf|csv|zip|png|jpe?g)(?:$|\?)", re.I
)

# One pass over the page in the browser: what the user sees and the form controls that cannot be used.
INSPECT_JS = """
() => {
  const problems = [];
  const skipped = el => el.closest('.collapse:not(.show), .dropdown-menu:not(.show), .modal:not(.show), '
    + '.offcanvas:not(.show), details:not([open]), [hidden], .visually-hidden, .btn-check');
  const controls = [...document.querySelectorAll('input, select, textarea, button')].filter(el =>
    el.type !== 'hidden' && !skipped(el) &&
    el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}));
  for (const el of controls) {
    const name = (el.labels && el.labels[0] ? el.labels[0].innerText : '') || el.innerText
      || el.name || el.id || el.outerHTML.slice(0, 80);
    const style = getComputedStyle(el);
    if (style.clip === 'rect(0px, 0px, 0px, 0px)' || style.clipPath.startsWith('inset(50%')) continue;
    let box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) {
      problems.push(['control without size', `${el.tagName.toLowerCase()} «${name.trim()}» `
        + `${Math.round(box.width)}×${Math.round(box.height)}`]);
      continue;
    }
    el.scrollIntoView({block: 'center', inline: 'center'});
    box = el.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (hit === null || hit === el || el.contains(hit) || hit.contains(el)) continue;
    const label = hit.closest('label');
    if (label && (label.control === el || [...(el.labels || [])].includes(label))) continue;
    const what = hit.tagName.toLowerCase() + (hit.className && typeof hit.className === 'string'
      ? '.' + hit.className.trim().split(/\\s+/).join('.') : '');
    problems.push(['control covered', `${el.tagName.toLowerCase()} «${name.trim().slice(0, 40)}» `
      + `under ${what}`]);
  }
  window.scrollTo(0, 0);
  // The outermost elements that stick out on the right, to name the culprit of sideways scrolling.
  let wide = [];
  if (document.documentElement.scrollWidth > window.innerWidth) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 0.5 && r.width > 0) wide.push(el);
      if (wide.length >= 400) break;
    }
    wide = wide.filter(el => !wide.some(other => other !== el && el.contains(other))).slice(0, 3);
  }
  const describe = el => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + (el.id ? '#' + el.id : '');
  return {
    wide: wide.map(el => `${describe(el)} (${Math.round(el.getBoundingClientRect().right)}px)`),
    text: document.body ? document.body.innerText : '',
    // <code>: syntax shown on purpose for the user to type (document template placeholders).
    code: [...document.querySelectorAll('code')].map(c => c.innerText),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    problems,
    csp: window.__cspViolations || [],
  };
}
"""

# Links of the navigation (officers' bar and drop-downs, the public site's header and start page).
NAV_LINKS_JS = """
() => [...document.querySelectorAll('nav a[href], .dropdown-menu a[href], header a[href]')]
  .map(a => a.href)
"""

# Every link on the page, with the ones a user would download marked.
PAGE_LINKS_JS = """
() => [...document.querySelectorAll('a[href]')].map(a => ({
  href: a.href, download: a.hasAttribute('download'), inMain: !!a.closest('main'),
  inTable: !!a.closest('table, .list-group, ul, ol'),
}))
"""

CSP_INIT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def english_words(text):
    words = []
    for run in LATIN_RUN.findall(URL_OR_EMAIL.sub(" ", text)):
        if any(ch.isdigit() for ch in run):
            continue  # a number, date, code or licence number, not a word
        for word in re.findall(r"[A-Za-z]{2,}", run):
            if word.lower() not in ALLOWED_WORDS:
                words.append(word)
    return sorted(set(words))


def record_pattern(url):
    """/cases/12/?tab=2 -> /cases/N/?tab: one record of each kind is enough."""
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


@pytest.fixture
def world(regions, monkeypatch, seed_data):
    """The demo data (every kind of record in 吴中区), a county leader, and administrators' second factor."""
    monkeypatch.setattr("captcha.conf.settings.CAPTCHA_TEST_MODE", True)
    load_demo_world(regions, monkeypatch)
    county_commission = Unit.objects.get(region=regions["wuzhong"], kind=UnitKind.HEALTH_COMMISSION)
    leader = User(
        username="wz_leader",
        unit=county_commission,
        role=Role.LEADER,
        full_name="吴中林",
        must_change_password=False,
    )
    leader.set_password(DEMO_PASSWORD)
    leader.save()
    _extra_records(regions)


def _extra_records(regions):
    """Records the demo data lacks but list pages should show (best effort: the crawl still runs without)."""
    from qingyuan.leads.models import Lead

    chief = User.objects.get(username="wz_chief")
    lead = Lead.objects.filter(handling_unit=chief.unit).order_by("pk").first()
    if lead is not None:
        try:
            from qingyuan.leads import services as lead_services

            lead = lead_services.lead_accept(actor=chief, lead=lead)
            inspectors = list(User.objects.filter(username__in=["wz_inspector1", "wz_inspector2"]))
            lead_services.lead_assign(actor=chief, lead=lead, officers=inspectors)
        except Exception as exc:  # noqa: BLE001 (an empty work list is still crawled)
            print(f"crawl data: the lead could not be accepted and assigned ({exc!r})")


def _log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    user = User.objects.get(username=username)
    if user.role in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR):
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.get_by_label("6位动态验证码").fill(f"{token:06d}")
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state("load")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def _same_origin(url, origin):
    return url.startswith(origin + "/")


def _crawl(browser, live_server, persona):
    origin = live_server.url
    username = PERSONAS[persona]
    if username and User.objects.get(username=username).role in (Role.SYSADMIN,):
        TOTPDevice.objects.create(user=User.objects.get(username=username), name="测试", confirmed=True)
    context = browser.new_context(
        base_url=origin,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": WIDTHS[0], "height": 800},
    )
    context.set_default_timeout(60_000)  # a busy machine is slow, not broken
    context.add_init_script(CSP_INIT)
    page = context.new_page()
    failures = []
    current = {"url": "", "width": WIDTHS[0]}
    usernames = list(User.objects.values_list("username", flat=True))

    def fail(rule, detail, url=None, width=None):
        path = (url or current["url"]).removeprefix(origin)
        failures.append(f"{path} @{width or current['width']}px [{rule}] {detail}")

    def console(message):
        # Chromium asks every site for /favicon.ico on its own; the platform has none (reported once, below).
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            fail("console error", f"{message.text[:300]} ({message.location.get('url', '')})")

    page.on("console", console)
    page.on("pageerror", lambda e: fail("page error", str(e)[:300]))

    if username is None:
        start = "/public/"
        page.goto(start)
    else:
        _log_in(page, username)
        start = page.url.removeprefix(origin) or "/"

    # Pages from the navigation: the start page's bar and drop-downs (the public site: every link of
    # its start page).
    nav = [start]
    found = page.evaluate(PAGE_LINKS_JS if username is None else NAV_LINKS_JS)
    for href in found:
        href = urldefrag(href["href"] if isinstance(href, dict) else href).url
        if _same_origin(href, origin) and not SKIP_LINK.search(href):
            path = href.removeprefix(origin)
            if path not in nav:
                nav.append(path)

    to_visit = list(nav)
    visited, seen_patterns = [], {record_pattern(p) for p in nav}
    links = {}  # href -> first page it was seen on
    statuses = {}

    def check(path, width):
        current.update(width=width)
        report = page.evaluate(INSPECT_JS)
        text = report["text"]
        # Longest first: no half-removed ones. An empty <code> would make replace() put a space between
        # every two characters, doubling the text once per empty element.
        for literal in sorted({c for c in report["code"] if c.strip()}, key=len, reverse=True):
            text = text.replace(literal, " ")
        if path.startswith("/accounts/users/"):
            # Account management shows the login name in its 账号 column: data, not interface text.
            text = re.sub(r"\b(?:{})\b".format("|".join(map(re.escape, usernames))), " ", text)
        words = english_words(text)
        if words:
            fail("English", " ".join(words[:15]))
        for token in ("{{", "{%", "{#"):
            if token in text:
                at = text.index(token)
                fail("template syntax", text[max(0, at - 30) : at + 40].replace("\n", " "))
        if report["scrollWidth"] > report["innerWidth"]:
            fail(
                "overflow",
                f"scrollWidth {report['scrollWidth']} > {report['innerWidth']}: " + ", ".join(report["wide"]),
            )
        for rule, detail in report["problems"][:10]:
            fail(rule, detail)
        for violation in report["csp"]:
            fail("CSP", violation)

    def visit(path):
        current.update(url=origin + path, width=WIDTHS[0])
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        response = page.goto(path)
        page.wait_for_load_state("load")
        status = response.status if response else 0
        statuses[origin + path] = status
        statuses[page.url] = status
        if status >= 400:
            fail("page status", str(status))
            return
        check(path, WIDTHS[0])
        # The same page on a phone: the layout reflows to the narrow viewport's media queries.
        page.set_viewport_size({"width": WIDTHS[1], "height": 740})
        check(path, WIDTHS[1])
        current.update(width=WIDTHS[0])
        for link in page.evaluate(PAGE_LINKS_JS):
            href = urldefrag(link["href"]).url
            if not _same_origin(href, origin) or link["download"] or SKIP_LINK.search(href):
                continue
            links.setdefault(href, current["url"])
            target = href.removeprefix(origin)
            pattern = record_pattern(target)
            # One level into records: the first link of each kind found in a list of a navigation page.
            if (
                path in nav
                and link["inMain"]
                and link["inTable"]
                and re.search(r"/\d+/", urlsplit(target).path)
                and pattern not in seen_patterns
            ):
                seen_patterns.add(pattern)
                to_visit.append(target)

    while to_visit and len(visited) < MAX_PAGES:
        path = to_visit.pop(0)
        if path in visited:
            continue
        visited.append(path)
        visit(path)

    current.update(width="-")
    checked, per_pattern = 0, {}
    for href, source in links.items():
        pattern = record_pattern(href.removeprefix(origin))
        # A few links of each kind: a wrong URL shows on the first; the rest of a long list adds only time.
        if href in statuses or checked >= MAX_LINKS or per_pattern.get(pattern, 0) >= LINKS_PER_KIND:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        checked += 1
        status = context.request.get(href, max_redirects=5).status
        if status == 404 or status >= 500:
            fail("broken link", f"{href.removeprefix(origin)} answers {status}", url=source)
    context.close()
    return visited, failures, checked


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_reachable_page_is_clean_at_both_widths(browser, live_server, vendor_assets, world, persona):
    visited, failures, checked = _crawl(browser, live_server, persona)
    assert len(visited) > (1 if persona == "public" else 2), f"{persona}: only {visited} reachable"
    assert not failures, (
        f"{persona}: {len(failures)} problem(s) on {len(visited)} pages ({checked} further links checked):\n"
        + "\n".join(dict.fromkeys(failures))
    )
