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

# (code, name) per category. The code is short, stable and ASCII: it goes into QR payloads.
STANDARD_SUBTYPES: dict[str, list[tuple[str, str]]] = {
    Category.PROCESS: [
        ("WTS", "核对委托书"),
        ("SQS", "核对授权书"),
        ("ZZT", "中止核对通知书"),
        ("JXT", "继续核对通知书"),
        ("ZJT", "终止核对通知书"),
        ("FHS", "复核申请表"),
        ("JJD", "交接单"),
        ("RHB", "入户核查表"),
    ],
    Category.PROOF: [
        ("JBZ", "基本信息证明"),
        ("SFZ", "身份信息证明"),
        ("SRZ", "可支配收入证明"),
        ("CCZ", "财产证明"),
        ("ZCZ", "支出证明"),
        ("QTZ", "其他证明"),
    ],
    Category.REPORT: [
        ("HDB", "核对报告"),
        ("FHB", "复核核对报告"),
    ],
    Category.REPORT_APPLICATION: [
        ("SBC", "申报材料"),
        ("SPC", "审批材料"),
        ("DYC", "待遇领取材料"),
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
