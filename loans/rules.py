"""The input rules of a loan (borrower, items, counted pages) and the refusal they raise.

Kept apart from the state machine (loans.services) so each reads on its own; nothing here
writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archive.identifiers import IdentifierError, parse_resident_id
from archive.models import Item, User
from loans.models import Loan, LoanItem

MAX_ITEMS = 100
LETTER_MAX_BYTES = 20 * 1024 * 1024
LETTER_TYPES = {"application/pdf", "image/jpeg", "image/png"}


class LoanRefused(Exception):
    """A step refused with a Chinese message; ``status`` is the HTTP status the API answers."""

    def __init__(
        self,
        message: str,
        code: str = "invalid",
        field: str | None = None,
        *,
        status: int = 400,
        denied: bool = False,
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.field = message, code, field
        self.status, self.denied = status, denied
        self.logged = False


@dataclass
class Borrower:
    user: User | None = None
    name: str = ""
    id_number: str = ""
    unit: str = ""
    letter_name: str = ""
    letter_bytes: bytes = b""
    letter_media_type: str = ""


def check_borrower(borrower: Borrower) -> None:
    if borrower.user is not None:
        if not borrower.user.is_active:
            raise LoanRefused("借阅人账号已停用", "inactive_user", "borrower.user")
        return
    if not borrower.name.strip():
        raise LoanRefused("外单位借阅人须填写真实姓名", "required", "borrower.name")
    try:
        parse_resident_id(borrower.id_number)
    except IdentifierError as exc:
        raise LoanRefused(
            f"借阅人身份证号无效：{exc}", "invalid_id_number", "borrower.id_number"
        ) from None
    if not borrower.unit.strip():
        raise LoanRefused("外单位借阅人须填写所在单位", "required", "borrower.unit")
    if not borrower.letter_bytes:
        raise LoanRefused("外单位借阅须上传单位介绍信（授权函）", "letter_required", "letter")
    if len(borrower.letter_bytes) > LETTER_MAX_BYTES:
        raise LoanRefused("介绍信文件不能超过 20 MB", "letter_too_large", "letter")
    if borrower.letter_media_type not in LETTER_TYPES:
        raise LoanRefused("介绍信须为 PDF、JPEG 或 PNG 文件", "letter_type", "letter")


def check_items(requester: User, numbers: Iterable[str], kind: str) -> list[Item]:
    numbers = [str(n).strip() for n in numbers]
    if not numbers:
        raise LoanRefused("至少选择一件档案", "required", "items")
    if len(numbers) > MAX_ITEMS:
        raise LoanRefused(f"一次最多借阅 {MAX_ITEMS} 件", "too_many", "items")
    if len(set(numbers)) != len(numbers):
        raise LoanRefused("同一件档案重复出现", "duplicate", "items")
    visible = {
        i.archive_number: i
        for i in Item.objects.visible_to(requester).filter(archive_number__in=numbers)
    }
    items = []
    for number in numbers:
        item = visible.get(number)
        if item is None:
            hidden = Item.objects.filter(archive_number=number).exists()
            raise LoanRefused(
                f"档号 {number} 不存在或不在本机构辖区内",
                "not_found",
                "items",
                status=404,
                denied=hidden,
            )
        if item.status == Item.Status.DESTROYED:
            raise LoanRefused(f"档号 {number} 已销毁，不能借阅", "destroyed", "items")
        if item.status != Item.Status.FILED:
            raise LoanRefused(f"档号 {number} 尚未归档，不能借阅", "not_filed", "items")
        if kind in (Loan.Kind.PAPER, Loan.Kind.BOTH) and item.carrier == Item.Carrier.ELECTRONIC:
            raise LoanRefused(
                f"档号 {number} 只有电子件，没有纸质原件可在阅览室借阅", "no_paper", "items"
            )
        items.append(item)
    return items


def parse_count(entry: dict, number: str) -> tuple[int, str, str]:
    raw = entry.get("pages_counted")
    if raw is None or raw == "":
        raise LoanRefused(f"档号 {number} 缺少清点页数", "missing_count", "items.pages_counted")
    try:
        counted = int(raw)
    except (TypeError, ValueError):
        raise LoanRefused(
            f"档号 {number} 的清点页数须为整数", "invalid_count", "items.pages_counted"
        ) from None
    if isinstance(raw, float) and raw != counted or isinstance(raw, bool):
        raise LoanRefused(
            f"档号 {number} 的清点页数须为整数", "invalid_count", "items.pages_counted"
        )
    if counted < 0:
        raise LoanRefused(
            f"档号 {number} 的清点页数不能为负数", "negative_count", "items.pages_counted"
        )
    condition = entry.get("condition") or ""
    if condition not in LoanItem.Condition.values:
        raise LoanRefused(
            f"档号 {number} 的归还状况须为 intact（完好）或 damaged（损坏）",
            "invalid_condition",
            "items.condition",
        )
    return counted, condition, str(entry.get("note") or "").strip()[:300]
