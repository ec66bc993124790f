"""Appendix F 居民家庭经济状况核对工作人员安全保密承诺书: its text, and who is due to sign it."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from accounts.gates import setting

TITLE = "居民家庭经济状况核对工作人员安全保密承诺书"
PREAMBLE = (
    "乙方因在甲方单位履行职责，知悉甲方秘密信息，甲方单位有权利要求乙方严格遵守国家法律、法规和"
    "相关规定，保守工作秘密和第三方隐私。乙方应加强保密意识并严格遵守以下协议："
)
CLAUSES = [
    "（一）严格遵守居民家庭经济状况核对工作保密管理相关规定，保守在工作中所涉及的居民家庭经济状况核对信息（以下简称核对信息）。",
    "（二）不查询非核对对象的经济信息，不伪造、篡改核对对象的经济信息和核对报告，不将核对报告用于其他用途。",
    "（三）妥善使用和保管从事居民家庭经济状况核对工作时所用的设备，如计算机、电子签章、数字证书等。",
    "（四）不得擅自记录、复制、拍摄、摘抄、收藏在工作中涉及的核对信息。",
    "（五）不得以任何方式非法泄露核对信息及核对系统口令、密钥等。",
    "（六）未经甲方同意，不得擅自发表涉及本地区居民家庭经济状况的数据、信息、技术文档和论文。",
    "（七）乙方离任、离职之后仍对其在甲方任职期间接触、知悉的核对信息，承担与任职期间相同的保密义务，不得擅自使用保密信息。",
    "（八）如发生秘密泄露，乙方应当立即向甲方报告，并积极协助甲方及有关部门进行查处。",
    "（九）乙方擅自泄露核对信息的，甲方可提请公安机关依法处理，情节严重构成犯罪的，提请司法机关依法追究其刑事责任。",
    "（十）本协议视同合同的组成部分，对协议的任何修改，必须采取书面形式，并由甲乙双方签字。",
    "（十一）本协议一式两份，自双方签字、盖章之日起生效。",
]
TEXT = "\n".join([TITLE, PREAMBLE, *CLAUSES])
TEXT_SHA256 = hashlib.sha256(TEXT.encode()).hexdigest()


def valid_days() -> int:
    return int(setting("HEDANG_COMMITMENT_DAYS") or 365)


def current_since() -> dt.date:
    """A commitment signed on or after this date is current."""
    return timezone.localdate() - dt.timedelta(days=valid_days() - 1)


def latest(user):
    from accounts.models import Commitment

    return Commitment.objects.filter(user=user).order_by("-signed_on", "-id").first()


def has_current(user) -> bool:
    from accounts.models import Commitment

    return Commitment.objects.filter(user=user, signed_on__gte=current_since()).exists()


def due_users(queryset):
    """Active users of ``queryset`` without a current commitment, with their latest date."""
    from django.db.models import Max, Q

    return (
        queryset.filter(is_active=True)
        .annotate(last_signed=Max("commitments__signed_on"))
        .filter(Q(last_signed__isnull=True) | Q(last_signed__lt=current_since()))
        .order_by("agency__region_code", "username")
    )
