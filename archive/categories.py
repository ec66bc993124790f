"""The four material categories of §9.2, their standard subtypes, and business types."""

from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    PROCESS = "process", "核查过程性材料"
    PROOF = "proof", "证明材料"
    REPORT = "report", "核对报告材料"
    REPORT_APPLICATION = "report_application", "核对报告应用材料"


# 档号 "问题" codes, one per category: 过程, 证明, 报告, 应用.
CATEGORY_CODES: dict[str, str] = {
    Category.PROCESS: "GC",
    Category.PROOF: "ZM",
    Category.REPORT: "BG",
    Category.REPORT_APPLICATION: "YY",
}

# (code, name, title keywords) per category. The code is short, stable and ASCII: it goes
# into QR payloads. Keywords recognise a scanned form by its title; they include Tesseract's
# usual misreadings (入户 read as 人户).
STANDARD_SUBTYPES: dict[str, list[tuple[str, str, str]]] = {
    Category.PROCESS: [
        ("WTS", "核对委托书", "核对委托书,经济状况核对委托书"),
        ("SQS", "核对授权书", "核对授权书,信息核对授权书"),
        ("ZZT", "中止核对通知书", "中止核对通知书"),
        ("JXT", "继续核对通知书", "继续核对通知书"),
        ("ZJT", "终止核对通知书", "终止核对通知书"),
        ("FHS", "复核申请表", "复核申请书,复核申请表"),
        ("JJD", "交接单", "交接单"),
        ("RHB", "入户核查表", "入户核查表,人户核查表,入户调查表"),
    ],
    Category.PROOF: [
        ("JBZ", "基本信息证明", "基本信息证明"),
        ("SFZ", "身份信息证明", "身份信息证明,身份证明"),
        ("SRZ", "可支配收入证明", "可支配收入证明,收入证明"),
        ("CCZ", "财产证明", "财产证明"),
        ("ZCZ", "支出证明", "支出证明"),
        ("QTZ", "其他证明", ""),
    ],
    Category.REPORT: [
        ("HDB", "核对报告", "经济状况核对报告,核对报告"),
        ("FHB", "复核核对报告", "复核核对报告"),
    ],
    Category.REPORT_APPLICATION: [
        ("SBC", "申报材料", "救助申请书,申请审批表"),
        ("SPC", "审批材料", "审批意见,审批表"),
        ("DYC", "待遇领取材料", "待遇领取,领取凭证"),
    ],
}

BUSINESS_TYPES: dict[str, str] = {
    "aa": "最低生活保障",
    "ab": "特困人员供养",
    "ac": "受灾人员救助",
    "ad": "医疗救助",
    "ae": "教育救助",
    "af": "住房救助",
    "ag": "就业救助",
    "ah": "临时救助",
}


def business_type_name(code: str) -> str:
    return BUSINESS_TYPES.get(code, "其他")
