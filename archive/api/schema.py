"""OpenAPI description: every operation documents the JSON error envelope it may answer."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from archive.api.errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "请求无效（校验错误时 field 指出字段，code 为规则代码，如 check_digit）",
    "401": "未登录（not_authenticated）",
    "403": "没有所需的权限（permission_denied），记入操作日志",
    "404": "不存在或不在本机构辖区内（not_found）；越权时记入操作日志",
}


class ApiAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            codes.insert(0, "400")
        if "{" in self.path:
            codes.append("404")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for code in self._error_codes():
                if code not in responses:
                    error = OpenApiResponse(ErrorSerializer, ERROR_DESCRIPTIONS[code])
                    responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses
