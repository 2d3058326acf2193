"""Open311 GeoReport v2 for 12345 hotline platforms (docs/api.md "Open311").

A facade over the partner intake, nothing more: a service is a lead category, a service request is
a lead the partner sent, and a request is registered by the same service as the partner API
(services.partner_lead_register), so routing, deadlines, audit and encryption of the reporter are
the same whichever door a ticket comes through.

- Services and their definitions are public (the spec's discovery). Requests need the partner's
  key, as the spec's `api_key` parameter or as `Authorization: Partner <key>`; a partner reads only
  the requests it sent. There is no anonymous reading of requests: a lead's description and place
  are not public information, and the public tracking page needs the reporter's own code.
- The reporter's name, phone and e-mail are stored encrypted on the lead and never returned; the
  answer (status_notes) appears only once the reporter may read it on the tracking page
  (feedback.publicly_visible), so a draft never reaches the reporter through the hotline.
- `external_id` (an extension) is the partner's ticket number: the same ticket posted again returns
  the lead it created; the same number with a different complaint is refused with 409, like the
  partner API, so a reused number does not swallow a complaint.
- Errors have the spec's shape, a list of {"code": HTTP status, "description": Chinese text naming
  the parameter}; JSON and XML (the spec's element names) are both served.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from lxml import etree
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.views import APIView

from qingyuan.api.authentication import PartnerKeyAuthentication, PartnerPrincipal
from qingyuan.api.models import PartnerSystem, hash_key
from qingyuan.api.throttling import PrincipalRateThrottle
from qingyuan.regions.models import Region
from qingyuan.subjects.models import PracticeContent

from . import feedback, services
from .forms import clean_phone_value
from .models import Category, Lead, Status

# What each category means to a hotline operator choosing one, and how hotlines group them.
SERVICES = {
    Category.UNLICENSED: (
        "未取得《医疗机构执业许可证》或未经备案擅自开展诊疗活动，如居民楼、出租屋、村中的“黑诊所”。",
        "黑诊所,无证行医,私人诊所,输液,打针",
        "非法行医",
    ),
    Category.NON_PHYSICIAN: (
        "未取得医师资格或执业注册的人员从事诊疗活动，或医疗机构使用非卫生技术人员。",
        "非医师行医,冒充医生,无资质",
        "非法行医",
    ),
    Category.ITINERANT: (
        "流动摆摊、走村串户，或借义诊、讲座行医售药的游医。",
        "游医,摆摊看病,义诊,卖药",
        "非法行医",
    ),
    Category.AESTHETIC: (
        "在美容院、工作室、酒店等场所注射玻尿酸、肉毒素或做手术，或非医师实施医疗美容。",
        "医美,打针美容,玻尿酸,肉毒素,割双眼皮",
        "医疗美容与养生",
    ),
    Category.TCM_WELLNESS: (
        "以养生、保健、理疗为名开展针刺、放血、开方治病等诊疗活动。",
        "养生馆,理疗,针灸,放血,保健",
        "医疗美容与养生",
    ),
    Category.LICENCE_RENTAL: (
        "医疗机构出租、出借执业许可证，或把科室承包给无资质的人员。",
        "出租证照,科室承包,挂靠",
        "非法行医",
    ),
    Category.SEX_SELECTION: (
        "非医学需要的胎儿性别鉴定和选择性别的人工终止妊娠。",
        "两非,胎儿性别鉴定,B超看男女",
        "“两非”",
    ),
    Category.ADVERTISING: (
        "发布虚假或未经审查的医疗广告，包括网络、短视频、传单。",
        "医疗广告,虚假广告,包治",
        "医疗广告",
    ),
    Category.OTHER: ("其他涉嫌非法行医的情况。", "非法行医,其他", "其他"),
}

# The extra questions of every service (GeoReport "attributes"), posted as attribute[code].
ATTRIBUTES = [
    {
        "variable": True,
        "code": "practice_content",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "从列表中选一项；不填为“其他”",
        "order": 1,
        "description": "行医内容",
        "values": [{"key": value, "name": str(label)} for value, label in PracticeContent.choices],
    },
    {
        "variable": True,
        "code": "reported_person",
        "datatype": "string",
        "required": False,
        "datatype_description": "姓名、称呼或店名，不超过100个字符",
        "order": 2,
        "description": "被反映人",
        "values": [],
    },
    {
        "variable": True,
        "code": "reported_phone",
        "datatype": "string",
        "required": False,
        "datatype_description": "7到12位数字",
        "order": 3,
        "description": "被反映人电话",
        "values": [],
    },
]

CLOSED = {Status.CLOSED, Status.REJECTED}
DEFAULT_DAYS = 90  # the spec's default window when no date is given
MAX_RESULTS = 1000  # the spec's suggested cap on one answer
MAX_IDS = 100
ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# C0 controls other than tab and line breaks: refused on input, and never valid in XML.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Inside a list, the element name of one item (the spec's XML shape).
XML_ITEMS = {"attributes": "attribute", "values": "value"}


def clean_text(value, name: str, label: str, max_length: int) -> str:
    """A text parameter, trimmed; refused with its name when it is not text, holds control
    characters (PostgreSQL and XML cannot take them all) or is too long."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _bad(name, f"{label}应为文本")
    if CONTROL.search(value):
        raise _bad(name, f"{label}含有不允许的控制字符")
    value = value.strip()
    if len(value) > max_length:
        raise _bad(name, f"{label}不能超过{max_length}个字符")
    return value


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def _bad(field: str, message: str) -> Open311Error:
    return Open311Error(400, f"{message}（{field}）")


# --- answers -------------------------------------------------------------------------------------


def _xml_value(element, value):
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(etree.SubElement(element, key), inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_value(etree.SubElement(element, XML_ITEMS.get(element.tag, "item")), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))


def respond(data, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """`data` (a list of dicts, or one dict) as JSON, or as the spec's XML: <root><item>…</item></root>."""
    if fmt == "xml":
        top = etree.Element(root)
        for entry in data if isinstance(data, list) else [data]:
            _xml_value(etree.SubElement(top, item) if item else top, entry)
        body = etree.tostring(top, xml_declaration=True, encoding="UTF-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error_response(status: int, description: str, fmt: str) -> HttpResponse:
    return respond(
        [{"code": status, "description": description}], fmt, root="errors", item="error", status=status
    )


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        # A deadline is a day: it ends at the end of that day, Beijing time.
        value = timezone.make_aware(dt.datetime.combine(value, dt.time(23, 59, 59)))
    return timezone.localtime(value).isoformat(timespec="seconds")


def service_entry(category: Category) -> dict:
    description, keywords, group = SERVICES[category]
    return {
        "service_code": category.value,
        "service_name": str(category.label),
        "description": description,
        "metadata": bool(ATTRIBUTES),
        "type": "realtime",
        "keywords": keywords,
        "group": group,
    }


def request_entry(lead: Lead) -> dict:
    """What a partner may know of its request: progress and the answer the reporter may read, the
    place and text it sent itself; nothing about the reporter, the officers or the internal findings."""
    answer = lead.feedback if feedback.publicly_visible(lead) else ""
    return {
        "service_request_id": lead.number,
        "status": "closed" if lead.status in CLOSED else "open",
        "status_notes": answer or lead.get_status_display(),
        "service_name": str(Category(lead.category).label) if lead.category in Category.values else "",
        "service_code": lead.category,
        "description": lead.content,
        "agency_responsible": lead.handling_unit.name,
        "service_notice": "",
        "requested_datetime": _iso(lead.received_at),
        "updated_datetime": _iso(lead.updated_at),
        "expected_datetime": None if lead.status in CLOSED else _iso(services.current_due(lead)),
        "address": lead.place,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


# --- the key, and refusals in the spec's shape ----------------------------------------------------


class ApiKeyAuthentication(BaseAuthentication):
    """GeoReport's `api_key` parameter: the partner's key, the same one `Authorization: Partner` carries."""

    def authenticate(self, request):
        key = request.query_params.get("api_key")
        if not key and request.method == "POST" and hasattr(request.data, "get"):
            key = request.data.get("api_key")
        if not key:
            return None
        if not isinstance(key, str):
            raise exceptions.AuthenticationFailed()
        partner = PartnerSystem.objects.select_related("unit__region").filter(key_hash=hash_key(key)).first()
        if partner is None or not partner.is_active:
            raise exceptions.AuthenticationFailed()
        return PartnerPrincipal(partner), partner


class IsPartner(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, PartnerPrincipal)


class SuffixNegotiation(DefaultContentNegotiation):
    """The format is the URL's suffix (.json, .xml), whatever the Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Open311View(APIView):
    authentication_classes = [PartnerKeyAuthentication, ApiKeyAuthentication]
    permission_classes = [IsPartner]
    throttle_classes = [PrincipalRateThrottle]  # the API's budgets: per partner key, else per address
    content_negotiation_class = SuffixNegotiation
    # Described by the GeoReport spec and docs/api.md, not by the OpenAPI schema of /api/.
    schema = None

    @property
    def fmt(self) -> str:
        return self.kwargs.get("fmt", "json")

    def handle_exception(self, exc):
        headers = {}
        if isinstance(exc, Open311Error):
            status, description = exc.status, exc.description
        elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            # The spec answers 403 for a missing or invalid api_key.
            status, description = 403, "缺少对接密钥或密钥无效、已停用（api_key）"
        elif isinstance(exc, exceptions.PermissionDenied):
            status, description = 403, "该接口须使用对接密钥（api_key）"
        elif isinstance(exc, exceptions.Throttled):
            wait = int(exc.wait or 1)
            status, description = 429, f"请求过于频繁，请在{wait}秒后再试"
            headers["Retry-After"] = str(wait)
        elif isinstance(exc, exceptions.ParseError):
            status, description = 400, "请求内容无法解析，请使用表单编码或 JSON"
        elif isinstance(exc, exceptions.UnsupportedMediaType):
            status, description = (
                415,
                "请求内容格式不受支持，请使用 application/x-www-form-urlencoded 或 JSON",
            )
        elif isinstance(exc, exceptions.MethodNotAllowed):
            status, description = 405, f"该接口不支持 {self.request.method} 请求"
        elif isinstance(exc, Http404 | exceptions.NotFound):
            status, description = 404, "未找到该服务请求或服务类别"
        else:
            return super().handle_exception(exc)  # a fault of ours: the 500 page, logged
        response = error_response(status, description, self.fmt)
        for name, value in headers.items():
            response[name] = value
        return response

    def param(self, name: str, label: str, *, max_length: int, source=None) -> str:
        """One text parameter of the query string (or of `source`, the posted data)."""
        source = self.request.query_params if source is None else source
        return clean_text(source.get(name, ""), name, label, max_length)

    def check_jurisdiction(self, source=None) -> None:
        """jurisdiction_id is optional (the platform routes by address); when given it must be ours."""
        code = self.param("jurisdiction_id", "辖区代码", max_length=12, source=source)
        if code and not (code.isdigit() and Region.objects.filter(pk=code).exists()):
            raise _bad("jurisdiction_id", f"辖区代码“{code}”不是本平台的行政区划代码")


# --- services --------------------------------------------------------------------------------------


class ServiceList(Open311View):
    """GET services.json: the lead categories."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request, fmt):
        self.check_jurisdiction()
        data = [service_entry(category) for category in Category]
        return respond(data, fmt, root="services", item="service")


class ServiceDefinition(Open311View):
    """GET services/{code}.json: the attributes a request of this category may carry."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request, code, fmt):
        self.check_jurisdiction()
        if code not in Category.values:
            raise Open311Error(404, f"没有服务类别“{code}”（service_code）")
        return respond({"service_code": code, "attributes": ATTRIBUTES}, fmt, root="service_definition")


# --- requests --------------------------------------------------------------------------------------


def _attribute(data, code: str):
    """attribute[code] from a form, or {"attribute": {code: …}} from JSON."""
    if hasattr(data, "get"):
        nested = data.get("attribute")
        if isinstance(nested, dict) and code in nested:
            return nested[code]
        return data.get(f"attribute[{code}]", "")
    return ""


class Requests(Open311View):
    """POST requests.json: a new request (a lead). GET requests.json: the partner's requests."""

    def post(self, request, fmt):
        data = request.data
        if not hasattr(data, "get"):
            raise Open311Error(400, "请求内容应为键值对（表单或 JSON 对象）")
        self.check_jurisdiction(source=data)
        fields, external_id, note = self._read(data)
        lead, created = self._register(external_id, note, fields)
        if created:
            notice = f"已登记为线索 {lead.number}，承办单位：{lead.handling_unit.name}。{lead.routing_note}"
        elif lead.content == fields["content"] and lead.category == fields["category"]:
            notice = f"对方编号“{external_id}”已登记为线索 {lead.number}，未重复登记"
        else:
            raise Open311Error(
                409, f"对方编号“{external_id}”已登记为线索 {lead.number}，内容不同，未重复登记（external_id）"
            )
        answer = [{"service_request_id": lead.number, "service_notice": notice, "account_id": None}]
        return respond(answer, fmt, root="service_requests", item="request", status=201 if created else 200)

    def _read(self, data) -> tuple[dict, str, str]:
        """The lead's fields from GeoReport's parameters, every refusal naming its parameter."""
        text = lambda name, label, n: self.param(name, label, max_length=n, source=data)  # noqa: E731
        code = text("service_code", "服务类别", 32)
        if not code:
            raise _bad("service_code", "请填写服务类别")
        if code not in Category.values:
            raise _bad("service_code", f"服务类别“{code}”无效，可选：{'、'.join(Category.values)}")
        description = text("description", "反映内容", 5000)
        if not description:
            raise _bad("description", "请填写反映内容")
        address = text("address_string", "地址", 300)
        lat, long = self._coordinates(data)
        if not address and lat is None:
            if text("address_id", "地址编号", 64):
                raise _bad("address_id", "本平台不支持地址编号，请改填地址 address_string 或经纬度 lat、long")
            raise _bad("address_string、lat、long", "请填写地址，或同时填写经纬度")
        notes = []
        if lat is not None:
            notes.append(f"坐标（WGS84）：纬度 {lat}，经度 {long}")
        media_url = text("media_url", "图片链接", 500)
        if media_url:
            try:
                URLValidator(schemes=["http", "https"])(media_url)
            except ValidationError:
                raise _bad("media_url", "图片链接应为 http 或 https 网址") from None
            notes.append(f"对方提供的图片/视频链接：{media_url}")
        attributes = {
            key: clean_text(_attribute(data, key), f"attribute[{key}]", label, n)
            for key, label, n in [
                ("practice_content", "行医内容", 32),
                ("reported_person", "被反映人", 100),
                ("reported_phone", "被反映人电话", 32),
            ]
        }
        practice = attributes["practice_content"] or PracticeContent.OTHER
        if practice not in PracticeContent.values:
            raise _bad(
                "attribute[practice_content]",
                f"行医内容“{practice}”无效，可选：{'、'.join(PracticeContent.values)}",
            )
        try:
            reported_phone = clean_phone_value(attributes["reported_phone"])
        except ValidationError as exc:
            raise _bad("attribute[reported_phone]", f"被反映人电话：{exc.messages[0]}") from None
        fields = {
            "content": description,
            "place": address or f"（对方仅提供坐标）纬度 {lat}，经度 {long}",
            "category": code,
            "practice_content": practice,
            "reported_person": attributes["reported_person"],
            "reported_phone": reported_phone,
            "reporter": self._reporter(data),
        }
        return fields, text("external_id", "对方编号", 64), "；".join(notes)

    def _coordinates(self, data):
        values = {}
        for name, label, limit in [("lat", "纬度", 90), ("long", "经度", 180)]:
            raw = self.param(name, label, max_length=32, source=data)
            if not raw:
                values[name] = None
                continue
            try:
                number = float(raw)
            except ValueError:
                raise _bad(name, f"{label}应为数字") from None
            if not -limit <= number <= limit:  # also refuses NaN
                raise _bad(name, f"{label}应在 -{limit} 到 {limit} 之间")
            values[name] = round(number, 6)
        if (values["lat"] is None) != (values["long"] is None):
            missing = "long" if values["long"] is None else "lat"
            raise _bad(missing, "纬度和经度须同时填写")
        return values["lat"], values["long"]

    def _reporter(self, data) -> dict | None:
        """A named reporter (实名举报) needs a name and a phone, as on every intake; kept encrypted."""
        first = self.param("first_name", "举报人名", max_length=25, source=data)
        last = self.param("last_name", "举报人姓", max_length=25, source=data)
        phone = self.param("phone", "举报人电话", max_length=32, source=data)
        email = self.param("email", "举报人电子邮箱", max_length=254, source=data)
        if not (first or last or phone or email):
            return None
        if not (first or last):
            raise _bad("last_name、first_name", "实名举报须填写举报人姓名")
        try:
            phone = clean_phone_value(phone, required=True)
        except ValidationError as exc:
            raise _bad("phone", f"举报人电话：{exc.messages[0]}") from None
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise _bad("email", "举报人电子邮箱格式不正确") from None
        return {"name": f"{last}{first}", "phone": phone, "email": email}

    def _register(self, external_id, note, fields):
        try:
            return services.partner_lead_register(
                partner=self.request.user.partner, external_id=external_id, intake_note=note, **fields
            )
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            field, errors = next(iter(messages.items()))
            name = {"place": "address_string", "content": "description"}.get(field, field)
            raise Open311Error(400, f"{errors[0]}（{name}）" if name else errors[0]) from None

    def get(self, request, fmt):
        self.check_jurisdiction()
        leads = Lead.objects.filter(partner=request.user.partner).select_related("handling_unit")
        ids = self.param("service_request_id", "服务请求编号", max_length=MAX_IDS * 33)
        if ids:
            numbers = [n.strip() for n in ids.split(",") if n.strip()]
            if len(numbers) > MAX_IDS or not all(ID_PATTERN.match(n) for n in numbers):
                raise _bad("service_request_id", f"服务请求编号应为逗号分隔的线索编号，最多{MAX_IDS}个")
            # The spec: with ids given, the other filters do not apply.
            leads = leads.filter(number__in=numbers)
        else:
            leads = self._filter(leads)
        rows = [request_entry(lead) for lead in leads.order_by("-received_at", "-pk")[:MAX_RESULTS]]
        return respond(rows, fmt, root="service_requests", item="request")

    def _filter(self, leads):
        codes = [c for c in self.param("service_code", "服务类别", max_length=400).split(",") if c]
        unknown = [c for c in codes if c not in Category.values]
        if unknown:
            raise _bad("service_code", f"服务类别“{unknown[0]}”无效")
        if codes:
            leads = leads.filter(category__in=codes)
        start, end = self._moment("start_date", "开始时间"), self._moment("end_date", "结束时间", end=True)
        if start and end and start > end:
            raise _bad("start_date", "开始时间不能晚于结束时间")
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            leads = leads.filter(received_at__gte=start)
        if end is not None:
            leads = leads.filter(received_at__lte=end)
        wanted = {s.strip() for s in self.param("status", "状态", max_length=20).split(",") if s.strip()}
        if wanted - {"open", "closed"}:
            raise _bad("status", "状态只能是 open 或 closed")
        if wanted == {"open"}:
            leads = leads.exclude(status__in=CLOSED)
        elif wanted == {"closed"}:
            leads = leads.filter(status__in=CLOSED)
        return leads

    def _moment(self, name: str, label: str, *, end: bool = False):
        raw = self.param(name, label, max_length=40)
        if not raw:
            return None
        try:
            moment = parse_datetime(raw)
            day = None if moment else parse_date(raw)
        except ValueError:
            moment = day = None
        if day is not None:
            moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        if moment is None:
            raise _bad(name, f"{label}格式应为 ISO 8601，如 2025-03-01T09:30:00+08:00")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


class RequestDetail(Open311View):
    """GET requests/{id}.json: one request the partner sent; any other is 404."""

    def get(self, request, request_id, fmt):
        self.check_jurisdiction()
        lead = (
            Lead.objects.filter(partner=request.user.partner, number=request_id)
            .select_related("handling_unit")
            .first()
        )
        if lead is None:
            raise Open311Error(404, f"没有编号为“{request_id}”的服务请求（service_request_id）")
        return respond([request_entry(lead)], fmt, root="service_requests", item="request")


@csrf_exempt  # a partner's POST to a wrong address gets the 404 below, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any other address under /open311/v2/, answered in the spec's shape rather than as a page."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error_response(
        404,
        "没有这个接口：可用 services、services/{service_code}、requests、requests/{id}，后缀 .json 或 .xml",
        fmt,
    )
