"""OpenAPI description of the partner key, so generated clients and the docs page know the header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "qingyuan.api.authentication.PartnerKeyAuthentication"
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "对接系统密钥：请求头 `Authorization: Partner <密钥>`。密钥由管理员用 "
                "`manage.py partner_issue` 签发，只显示一次；每个对接系统一个密钥，停用后立即失效。"
            ),
        }
