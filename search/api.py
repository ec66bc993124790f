"""``GET /api/v1/search``: the search the 检索 page runs, as JSON (docs/contracts.md shape plus
facets). Same authentication, permission, error envelope and operation-log entry as the page
and the other API views; the head of household's ID is masked for roles without full IDs."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.base import ApiViewMixin
from archive.api.errors import ErrorSerializer
from archive.api.permissions import require
from archive.categories import BUSINESS_TYPES, Category
from search.service import MAX_LIMIT
from search.views import InvalidParameter, int_param, masked_hit, parse_params, run_search

DEFAULT_LIMIT = 20
MAX_OFFSET = 10_000


def _invalid(field: str, code: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [ErrorDetail(message, code=code)]})


class HitSerializer(serializers.Serializer):
    archive_number = serializers.CharField(help_text="档号")
    household = serializers.CharField(
        help_text="户主身份证号（无权查看完整号码的角色看到脱敏号码）"
    )
    category = serializers.ChoiceField(Category.choices, help_text="材料类别")
    subtype = serializers.CharField(help_text="子类名称，如 入户核查表")
    title = serializers.CharField(help_text="题名")
    snippet = serializers.CharField(help_text="摘要：HTML，已转义，命中处以 <mark>…</mark> 标出")


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="用作同名筛选参数的值；空串表示未填")
    label = serializers.CharField(help_text="中文名称")
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    category = FacetValueSerializer(many=True, required=False)
    subtype = FacetValueSerializer(many=True, required=False)
    business_type = FacetValueSerializer(many=True, required=False)
    year = FacetValueSerializer(many=True, required=False)
    region = FacetValueSerializer(many=True, required=False)


class SearchResponseSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="命中的件数；total_exact 为 false 时是下限")
    total_exact = serializers.BooleanField(
        required=False,
        help_text="仅在命中过多（超过设定上限，默认 20,000）时出现，值为 false："
        "total 为该上限，结果按同名优先、再按归档先后由新到旧排列",
    )
    hits = HitSerializer(many=True)
    facets = FacetsSerializer(
        help_text="各筛选项的件数；命中过多（超过设定上限）时为空对象，请缩小检索范围"
    )


def _param(name, description, type_=OpenApiTypes.STR, **kw) -> OpenApiParameter:
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, **kw)


PARAMETERS = [
    _param("q", "检索词：姓名、身份证号、档号、报告编号、授权书编号或正文词语", required=True),
    _param("category", "材料类别", enum=list(Category.values)),
    _param("subtype", "子类名称或代码（如 入户核查表、RHB）"),
    _param("business_type", "核对项目代码", enum=list(BUSINESS_TYPES)),
    _param("year", "年度（形成日期所在年）", OpenApiTypes.INT),
    _param("region", "区划代码：该机构及其下级机构（与调用者辖区取交集）"),
    _param("limit", f"每页件数，1–{MAX_LIMIT}，默认 {DEFAULT_LIMIT}", OpenApiTypes.INT),
    _param("offset", "跳过的件数，默认 0", OpenApiTypes.INT),
]


class SearchApiView(ApiViewMixin, APIView):
    permission_classes = [IsAuthenticated, require("archive.view_item")]

    @extend_schema(
        operation_id="search",
        summary="全文检索辖区内已归档的件",
        description=(
            "与管理界面「检索」相同的检索：只检索调用者辖区内已归档的件；"
            "同名精确命中在前，其余按相关度。每次检索记入操作日志（view，对象类型 search）。"
        ),
        parameters=PARAMETERS,
        responses={200: SearchResponseSerializer, 400: ErrorSerializer},
        tags=["search"],
    )
    def get(self, request):
        try:
            params = parse_params(request.query_params)
            limit = int_param(request.query_params, "limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
            offset = int_param(request.query_params, "offset", 0, MAX_OFFSET) or 0
        except InvalidParameter as exc:
            raise _invalid(exc.field, exc.code, exc.message) from None
        if not params.query:
            raise _invalid("q", "required", "请提供检索词 q")
        result = run_search(request, params, limit=limit, offset=offset)
        body = result.as_dict(with_facets=True)
        body["hits"] = [masked_hit(request.user, h) for h in result.hits]
        return Response(body)
