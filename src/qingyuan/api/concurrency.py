"""Updates through the API with the same version check as the edit pages (core.concurrency).

A GET of one record answers with an ETag; a PATCH must send it back in If-Match. Without it the
answer is 428, so no client can overwrite a record it has not read; with an ETag that no longer
matches, 412 with a Chinese message naming who changed the record and when. The write itself goes
through the app's service, which makes the check after locking the row.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from qingyuan.core import concurrency

from .errors import error_response

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="读取该记录（GET）时响应头 ETag 的值；记录在此后被他人修改的，返回 412，不会覆盖",
)
VERSIONED_UPDATE_RESPONSES = {
    400: OpenApiResponse(description="字段校验不通过，按字段给出中文错误信息"),
    403: OpenApiResponse(description="当前角色不能修改"),
    404: OpenApiResponse(description="记录不存在或不在辖区内"),
    412: OpenApiResponse(description="记录已被他人修改：重新读取（GET）、核对后再提交"),
    428: OpenApiResponse(description="缺少 If-Match 请求头"),
}


class VersionedUpdateMixin:
    """For a viewset: `retrieve` with an ETag and `partial_update` through `save_versioned`.

    The viewset names `version_fields` (the model fields a PATCH may change, which the ETag covers),
    `edit_perm` and `edit_denied` (the 403 message), and implements
    `save_versioned(instance, data, version)` by calling its service."""

    version_fields: tuple[str, ...] = ()
    edit_perm = ""
    edit_denied = "您的角色不能修改该记录"

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = concurrency.etag(instance, self.version_fields)
        return response

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()  # first, so a record outside the jurisdiction is 404 for everyone
        if not request.user.can(self.edit_perm):
            raise PermissionDenied(self.edit_denied)
        version = concurrency.token_from_if_match(request.headers.get("If-Match"))
        if version is None:
            return error_response(
                status.HTTP_428_PRECONDITION_REQUIRED,
                "请在 If-Match 请求头中提供读取该记录时得到的 ETag，以免覆盖他人的修改",
                field="If-Match",
            )
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in self.version_fields}
        try:
            saved = self.save_versioned(instance, data, version)
        except concurrency.StaleEdit as exc:
            return error_response(
                status.HTTP_412_PRECONDITION_FAILED,
                exc.messages[0],
                changed_fields=exc.changed,
                changed_by=exc.changed_by,
                changed_at=exc.changed_at,
            )
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from None
        saved = self.get_queryset().get(pk=saved.pk)
        response = Response(self.get_serializer(saved).data)
        response["ETag"] = concurrency.etag(saved, self.version_fields)
        return response

    def save_versioned(self, instance, data: dict, version: str):
        raise NotImplementedError
