"""One error shape for every answer under /api/ (docs/api.md "错误"):

    {"code": "invalid", "message": "中文说明", "field": "page_size", "errors": [{"field": ..., "message": ...}]}

`code` is stable and meant for programs; `message` is Chinese and meant for people; `field` names
the first field at fault (null when the error is not about one field); `errors` lists every field
error of a 400, nested fields joined with dots (`reporter.phone`). Extra keys an answer needs (the
lead number of a 409, who changed a record for a 412) sit beside these.

DRF's exceptions come through `exception_handler` (settings REST_FRAMEWORK EXCEPTION_HANDLER);
Django's own 404 and 500 under /api/ come through core.errors, which calls `error_response`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# Code and default Chinese message by HTTP status, for errors whose own message is missing or English.
CODES = {
    400: ("invalid", "请求参数有误"),
    401: ("not_authenticated", "请提供有效的接口令牌或对接密钥"),
    403: ("permission_denied", "您无权进行该操作"),
    404: ("not_found", "未找到该记录"),
    405: ("method_not_allowed", "该接口不支持此请求方法"),
    406: ("not_acceptable", "无法按请求的格式返回，请接受 application/json"),
    409: ("conflict", "与已有记录冲突"),
    412: ("precondition_failed", "记录已被他人修改，请重新读取后再提交"),
    415: ("unsupported_media_type", "请求内容格式不受支持，请使用 application/json"),
    428: ("precondition_required", "请在 If-Match 请求头中提供读取该记录时得到的 ETag"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，请稍后再试；如持续出现请联系管理员并提供请求编号"),
}
NON_FIELD = {"non_field_errors", "__all__"}


def body(
    status_code: int, message: str = "", *, code: str = "", field: str | None = None, errors=None, **extra
):
    default_code, default_message = CODES.get(status_code, ("error", "请求未能完成"))
    # Messages from DRF or Django that were never translated ("No Lead matches the given query.") are
    # replaced: the answer is read by Chinese developers and relayed to Chinese users.
    if not message or message.isascii():
        message = default_message
    if errors is None:
        errors = [{"field": field, "message": message}] if field or status_code == 400 else []
    return {"code": code or default_code, "message": message, "field": field, "errors": errors, **extra}


def error_response(status_code: int, message: str = "", **kwargs) -> Response:
    return Response(body(status_code, message, **kwargs), status=status_code)


def django_error_response(request, status_code: int) -> JsonResponse:
    """For core.errors: Django's 404 and 500 under /api/, in the same shape."""
    extra = {"request_id": getattr(request, "request_id", "")} if status_code >= 500 else {}
    return JsonResponse(
        body(status_code, **extra), status=status_code, json_dumps_params={"ensure_ascii": False}
    )


def _flatten(detail, prefix: str = "") -> list[dict]:
    """Every message of a ValidationError's detail, with the dotted name of its field."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            name = None if key in NON_FIELD else (f"{prefix}.{key}" if prefix else str(key))
            found += _flatten(value, name or prefix)
        return found
    if isinstance(detail, list):
        found = []
        for index, value in enumerate(detail):
            # A list of nested objects (many=True) numbers its items: `measures.0.amount`.
            inner = f"{prefix}.{index}" if isinstance(value, dict) and prefix else prefix
            found += _flatten(value, inner)
        return found
    return [{"field": prefix or None, "message": _named(prefix, str(detail))}]


def _named(field: str, message: str) -> str:
    """DRF's generic messages ("该字段是必填项。") do not say which field; say it."""
    leaf = field.rsplit(".", 1)[-1] if field else ""
    if not field or leaf in message or field in message:
        return message
    return f"{field}：{message}"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's handler500 (core.errors) answers, in this shape under /api/
    code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail) or [{"field": None, "message": CODES[400][1]}]
        first = errors[0]
        response.data = body(code, first["message"], field=first["field"], errors=errors)
    else:
        detail = getattr(exc, "detail", "")
        message = str(detail) if not isinstance(detail, list | dict) else ""
        if isinstance(exc, exceptions.Throttled):
            wait = int(exc.wait or 1)
            message = f"请求过于频繁，请在{wait}秒后再试"
            response.data = body(code, message, retry_after=wait)
        elif isinstance(exc, exceptions.AuthenticationFailed):
            response.data = body(code, message, code="authentication_failed")
        elif isinstance(exc, exceptions.NotAuthenticated):
            response.data = body(code, message)
        elif isinstance(exc, exceptions.MethodNotAllowed):
            response.data = body(code, f"该接口不支持 {context['request'].method} 请求")
        else:
            if isinstance(exc, exceptions.NotFound) and message == str(exceptions.NotFound.default_detail):
                message = ""  # DRF's "未找到。" says less than ours
            response.data = body(code, message)
    return response


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="字段名，嵌套字段以点号连接")
    message = serializers.CharField(help_text="中文说明")


class ErrorSerializer(serializers.Serializer):
    """The one error shape, for the OpenAPI schema."""

    code = serializers.CharField(help_text="错误代码，供程序判断（见 docs/api.md）")
    message = serializers.CharField(help_text="中文说明，可直接展示给用户")
    field = serializers.CharField(allow_null=True, help_text="出错的字段；与具体字段无关时为 null")
    errors = FieldErrorSerializer(many=True, help_text="全部字段错误（400）")
