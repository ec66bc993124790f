"""Numbers with a format: resident IDs, report numbers, authorization numbers and 档号.

Pure Python (no Django import at module level), so it can be used from settings, scripts,
migrations and tests without a configured project. See docs/domain.md, "Numbers with a
format".

Every parser normalises its input first (full-width to half-width, surrounding whitespace
removed) and returns a frozen dataclass whose ``value`` is the canonical form. Invalid input
raises :class:`IdentifierError`, whose ``rule`` is a short machine code and whose message
(``str(e)``) says in Simplified Chinese which rule failed.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

__all__ = [
    "BUSINESS_CODES",
    "DEFAULT_ARCHIVE_NUMBER_PATTERN",
    "NATURES",
    "ArchiveNumber",
    "ArchiveNumberPattern",
    "AuthorizationNumber",
    "IdentifierError",
    "ReportNumber",
    "ResidentId",
    "archive_number_pattern",
    "classify",
    "format_authorization_number",
    "format_report_number",
    "is_valid_resident_id",
    "mask_resident_id",
    "normalize_width",
    "parse_authorization_number",
    "parse_report_number",
    "parse_resident_id",
    "resident_id_check_char",
]


class IdentifierError(ValueError):
    """A number does not follow its format. ``rule`` names the failed rule."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IdentifierError({self.message!r}, rule={self.rule!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.message, self.rule))


# --------------------------------------------------------------------------------------------
# Width normalisation
# --------------------------------------------------------------------------------------------

# U+FF01..U+FF5E are the full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE[0x3000] = 0x20


def normalize_width(s: str) -> str:
    """Full-width ASCII (digits, letters, punctuation, ideographic space) to half-width."""
    return s.translate(_WIDTH_TABLE)


def _prepare(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise IdentifierError(f"{what}格式错误：应为文本，实为 {type(value).__name__}", "charset")
    return normalize_width(value).strip()


_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _is_digits(s: str) -> bool:
    return bool(_ASCII_DIGITS.fullmatch(s))


# --------------------------------------------------------------------------------------------
# Resident ID (GB 11643-1999)
# --------------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1880, 1, 1)


@dataclass(frozen=True)
class ResidentId:
    """An 18-character resident ID number (公民身份号码)."""

    value: str
    region_code: str
    birth_date: date
    sequence: str
    sex: str  # "男" (odd 17th digit) or "女" (even)
    check_char: str

    @property
    def masked(self) -> str:
        return mask_resident_id(self.value)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident ID."""
    body = _prepare(first17, "身份证号本体")
    if len(body) != 17:
        raise IdentifierError(f"长度错误：计算校验码需要 17 位数字，实为 {len(body)} 位", "length")
    if not _is_digits(body):
        bad = next(c for c in body if not _is_digits(c))
        raise IdentifierError(f"字符错误：「{bad}」不是数字", "charset")
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def parse_resident_id(value: str, today: date | None = None) -> ResidentId:
    """Parse and validate an 18-character resident ID; raises :class:`IdentifierError`."""
    v = _prepare(value, "身份证号").upper()
    if len(v) != 18:
        hint = "（15 位的第一代身份证号需先升为 18 位）" if len(v) == 15 and _is_digits(v) else ""
        if not v:
            raise IdentifierError("长度错误：身份证号为空", "length")
        raise IdentifierError(f"长度错误：身份证号应为 18 位，实为 {len(v)} 位{hint}", "length")
    for i, c in enumerate(v[:17], start=1):
        if not _is_digits(c):
            raise IdentifierError(f"字符错误：第 {i} 位「{c}」不是数字", "charset")
    if not (_is_digits(v[17]) or v[17] == "X"):
        raise IdentifierError(f"字符错误：第 18 位「{v[17]}」应为数字或 X", "charset")
    if v[0] not in "12345678":
        raise IdentifierError(f"地址码错误：首位应为 1–8，实为 {v[0]}", "region")
    raw_birth = v[6:14]
    try:
        birth = date(int(raw_birth[:4]), int(raw_birth[4:6]), int(raw_birth[6:]))
    except ValueError:
        raise IdentifierError(f"出生日期错误：{raw_birth} 不是有效日期", "birth_date") from None
    if birth < _EARLIEST_BIRTH:
        raise IdentifierError(f"出生日期错误：{birth.isoformat()} 早于 1880 年", "birth_date")
    today = today or date.today()
    if birth > today:
        raise IdentifierError(
            f"出生日期错误：{birth.isoformat()} 晚于今天（{today.isoformat()}）",
            "future_birth_date",
        )
    expected = resident_id_check_char(v[:17])
    if v[17] != expected:
        raise IdentifierError(f"校验码错误：应为 {expected}，实为 {v[17]}", "check_digit")
    return ResidentId(
        value=v,
        region_code=v[:6],
        birth_date=birth,
        sequence=v[14:17],
        sex="男" if int(v[16]) % 2 else "女",
        check_char=v[17],
    )


def is_valid_resident_id(value: object, today: date | None = None) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_resident_id(value, today=today)
    except IdentifierError:
        return False
    return True


def mask_resident_id(value: str) -> str:
    """``420102********1234``: first 6, eight stars, last 4.

    Input of any other length is masked at least as much: never more than 6 leading and 4
    trailing characters are shown, and at least 8 characters (or all of a short input) are
    hidden. The result has the length of the (normalised) input.
    """
    if not isinstance(value, str):
        return ""
    v = normalize_width(value).strip().upper()
    n = len(v)
    shown = max(0, min(10, n - 8))
    head = min(6, shown)
    tail = shown - head
    return v[:head] + "*" * (n - head - tail) + (v[n - tail :] if tail else "")


# --------------------------------------------------------------------------------------------
# Report number (Appendix E)
# --------------------------------------------------------------------------------------------

BUSINESS_CODES: Mapping[str, str] = {
    "aa": "最低生活保障",
    "ab": "特困人员供养",
    "ac": "受灾人员救助",
    "ad": "医疗救助",
    "ae": "教育救助",
    "af": "住房救助",
    "ag": "就业救助",
    "ah": "临时救助",
}
OTHER_BUSINESS_NAME = "其他"

NATURES: Mapping[str, str] = {"f": "首次报告", "s": "复核报告", "t": "再次复核报告"}

_EARLIEST_NUMBER_YEAR = 2000
_REPORT_EXAMPLE = "第42010220240300017aaf1号"
_AUTH_PREFIX = "居经授第"
_AUTH_EXAMPLE = "居经授第420102202400000123号"


@dataclass(frozen=True)
class ReportNumber:
    """A verification report number (报告编号), e.g. ``第42010220240300017aaf1号``."""

    value: str
    region_code: str
    year: int
    month: int
    serial: int
    business_code: str
    business_name: str
    nature: str  # "f", "s" or "t"
    nature_name: str
    copy: int


def business_name(code: str) -> str:
    """The Chinese name of a business code (aa..ah named, ai..zz "其他")."""
    return BUSINESS_CODES.get(code, OTHER_BUSINESS_NAME)


def _check_region(
    region: str, valid_region_codes: Collection[str] | None, what: str = "地区代码"
) -> None:
    if region[0] not in "12345678":
        raise IdentifierError(f"{what}错误：{region} 的首位应为 1–8", "region")
    if valid_region_codes is not None and region not in valid_region_codes:
        raise IdentifierError(f"{what}错误：{region} 不是已登记的地区代码", "region")


def _check_year(year: int, today: date | None) -> None:
    latest = (today or date.today()).year + 1
    if not _EARLIEST_NUMBER_YEAR <= year <= latest:
        raise IdentifierError(
            f"年份错误：{year:04d} 不在 {_EARLIEST_NUMBER_YEAR}–{latest} 之间", "year"
        )


_REPORT_BODY = re.compile(r"([0-9]*)([A-Za-z]*)(.*)", re.ASCII | re.DOTALL)


def parse_report_number(
    value: str,
    valid_region_codes: Collection[str] | None = None,
    today: date | None = None,
) -> ReportNumber:
    """Parse and validate a report number; 第 and 号 may be omitted in the input."""
    v = _prepare(value, "报告编号")
    body = v[1:] if v.startswith("第") else v
    if body.endswith("号"):
        body = body[:-1]
    if "号" in body:
        rest = body[body.index("号") + 1 :]
        raise IdentifierError(f"结尾错误：「号」之后不应再有字符「{rest}」", "suffix")
    digits, letters, rest = _REPORT_BODY.fullmatch(body).groups()  # type: ignore[union-attr]
    if not digits:
        raise IdentifierError(
            "报告编号格式错误：应为「第」+ 6 位地区代码 + 4 位年份 + 2 位月份 + 5 位流水号"
            f" + 2 位业务代码 + 性质代码 + 份号 +「号」，例如 {_REPORT_EXAMPLE}",
            "pattern",
        )
    if len(digits) != 17:
        raise IdentifierError(
            "长度错误：报告编号的数字部分应为 17 位（地区代码 6 位 + 年份 4 位 + 月份 2 位"
            f" + 流水号 5 位），实为 {len(digits)} 位",
            "length",
        )
    code, nature = letters[:2], letters[2:]
    if not re.fullmatch(r"[a-z]{2}", code):
        shown = f"「{code}」" if code else "空"
        raise IdentifierError(f"业务代码错误：应为两位小写字母 aa–zz，实为{shown}", "business_code")
    if nature not in NATURES:
        shown = f"「{nature}」" if nature else "空"
        raise IdentifierError(
            f"报告性质错误：应为 f（首次报告）、s（复核报告）或 t（再次复核报告），实为{shown}",
            "nature",
        )
    if not re.fullmatch(r"[1-9][0-9]*", rest, re.ASCII):
        shown = f"「{rest}」" if rest else "空"
        raise IdentifierError(f"份号错误：应为从 1 开始的整数（不以 0 开头），实为{shown}", "copy")
    region, year, month, serial = digits[:6], int(digits[6:10]), int(digits[10:12]), digits[12:]
    _check_region(region, valid_region_codes)
    _check_year(year, today)
    if not 1 <= month <= 12:
        raise IdentifierError(f"月份错误：应为 01–12，实为 {digits[10:12]}", "month")
    if int(serial) == 0:
        raise IdentifierError("流水号错误：应为 00001–99999，实为 00000", "serial")
    return ReportNumber(
        value=f"第{digits}{code}{nature}{rest}号",
        region_code=region,
        year=year,
        month=month,
        serial=int(serial),
        business_code=code,
        business_name=business_name(code),
        nature=nature,
        nature_name=NATURES[nature],
        copy=int(rest),
    )


def format_report_number(
    region_code: str,
    year: int,
    month: int,
    serial: int,
    business_code: str,
    nature: str,
    copy: int = 1,
) -> str:
    """Build the canonical report number; raises :class:`IdentifierError` when invalid."""
    region = str(region_code)
    if not (len(region) == 6 and _is_digits(region)):
        raise IdentifierError(f"地区代码错误：应为 6 位数字，实为「{region}」", "region")
    if not 0 <= int(year) <= 9999:
        raise IdentifierError(f"年份错误：{year} 不是 4 位年份", "year")
    if not 1 <= int(month) <= 12:
        raise IdentifierError(f"月份错误：应为 01–12，实为 {month}", "month")
    if not 1 <= int(serial) <= 99999:
        raise IdentifierError(f"流水号错误：应为 1–99999，实为 {serial}", "serial")
    if int(copy) < 1:
        raise IdentifierError(f"份号错误：应为从 1 开始的整数，实为 {copy}", "copy")
    raw = (
        f"第{region}{int(year):04d}{int(month):02d}{int(serial):05d}"
        f"{business_code}{nature}{int(copy)}号"
    )
    return parse_report_number(raw).value


# --------------------------------------------------------------------------------------------
# Authorization number (Appendix A)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationNumber:
    """An authorization number (核对授权书编号), e.g. ``居经授第420102202400000123号``."""

    value: str
    region_code: str
    year: int
    serial: int


def parse_authorization_number(
    value: str,
    valid_region_codes: Collection[str] | None = None,
    today: date | None = None,
) -> AuthorizationNumber:
    """Parse and validate an authorization number; the trailing 号 may be omitted."""
    v = _prepare(value, "授权书编号")
    if not v.startswith(_AUTH_PREFIX):
        raise IdentifierError(
            f"前缀错误：授权书编号应以「{_AUTH_PREFIX}」开头，例如 {_AUTH_EXAMPLE}", "prefix"
        )
    body = v[len(_AUTH_PREFIX) :]
    if body.endswith("号"):
        body = body[:-1]
    if "号" in body:
        rest = body[body.index("号") + 1 :]
        raise IdentifierError(f"结尾错误：「号」之后不应再有字符「{rest}」", "suffix")
    for c in body:
        if not _is_digits(c):
            raise IdentifierError(
                f"字符错误：「{_AUTH_PREFIX}」与「号」之间应全为数字，含有「{c}」", "charset"
            )
    if len(body) != 18:
        raise IdentifierError(
            "长度错误：授权书编号的数字部分应为 18 位（地区代码 6 位 + 年份 4 位"
            f" + 流水号 8 位），实为 {len(body)} 位",
            "length",
        )
    region, year, serial = body[:6], int(body[6:10]), int(body[10:])
    _check_region(region, valid_region_codes)
    _check_year(year, today)
    if serial == 0:
        raise IdentifierError("流水号错误：应为 00000001–99999999，实为 00000000", "serial")
    return AuthorizationNumber(
        value=f"{_AUTH_PREFIX}{body}号", region_code=region, year=year, serial=serial
    )


def format_authorization_number(region_code: str, year: int, serial: int) -> str:
    """Build the canonical authorization number; raises :class:`IdentifierError`."""
    region = str(region_code)
    if not (len(region) == 6 and _is_digits(region)):
        raise IdentifierError(f"地区代码错误：应为 6 位数字，实为「{region}」", "region")
    if not 0 <= int(year) <= 9999:
        raise IdentifierError(f"年份错误：{year} 不是 4 位年份", "year")
    if not 1 <= int(serial) <= 99_999_999:
        raise IdentifierError(f"流水号错误：应为 1–99999999，实为 {serial}", "serial")
    raw = f"{_AUTH_PREFIX}{region}{int(year):04d}{int(serial):08d}号"
    return parse_authorization_number(raw).value


# --------------------------------------------------------------------------------------------
# Archive number 档号 (DA/T 22-2015)
# --------------------------------------------------------------------------------------------

DEFAULT_ARCHIVE_NUMBER_PATTERN = (
    "{fonds}-{doc_class}·{year}-{retention}-{category_code}-{number:04d}"
)

FIELD_LABELS: Mapping[str, str] = {
    "fonds": "全宗号",
    "doc_class": "门类代码",
    "year": "年度",
    "retention": "保管期限",
    "org": "机构(问题)代码",
    "category_code": "类别代码",
    "category": "类别代码",
    "number": "件号",
    "box": "盒号",
}

RETENTION_NAMES: Mapping[str, str] = {"Y": "永久", "D30": "定期30年", "D10": "定期10年"}

# Ways the middle dot of 档号 gets typed (after width normalisation ．→ .).
_DOT_VARIANTS = "·.・･‧•"
_DASH_VARIANTS = "-‐‑‒–—−"
_TEMPLATE_DOTS = "·.・･‧"  # a template may write the middle dot as "." too
_FIELD_RE = {"year": r"[0-9]{4}", "retention": r"Y|[DC][0-9]{2}"}
_OTHER_FIELD_RE = r"[A-Z0-9]+"
_LOOSE_FIELD_RE = r"[A-Za-z0-9]+"
_EARLIEST_ARCHIVE_YEAR = 1900


def _literal_re(text: str) -> str:
    out = []
    for c in text:
        if c in _TEMPLATE_DOTS:
            out.append("[" + re.escape(_DOT_VARIANTS) + "]")
        elif c == "-":
            out.append("[" + re.escape(_DASH_VARIANTS) + "]")
        else:
            out.append(re.escape(c))
    return "".join(out)


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


@dataclass(frozen=True)
class ArchiveNumber:
    """A parsed 档号. ``fields`` holds every field as text (``number`` as written, e.g.
    ``"0001"``); ``class_key`` is the 档号 without its 件号 (件号 run gap-free within it)."""

    value: str
    fields: dict[str, str] = field(hash=False)
    number: int
    class_key: str


@dataclass(frozen=True)
class ArchiveNumberPattern:
    """A 档号 pattern given as a Python format string, e.g.
    ``"{fonds}-{doc_class}·{year}-{retention}-{category_code}-{number:04d}"``.

    ``number`` (件号) is required; its format spec gives the digit width (``04d``). ``year`` is
    4 digits, ``retention`` a code such as ``Y``, ``D30``, ``D10``; other fields are upper-case
    letters and digits. Raises :class:`ValueError` for an unusable pattern.
    """

    template: str = DEFAULT_ARCHIVE_NUMBER_PATTERN
    field_names: tuple[str, ...] = field(init=False, compare=False, repr=False)
    number_width: int | None = field(init=False, compare=False, repr=False)
    _pieces: tuple[tuple[str, str | None], ...] = field(init=False, compare=False, repr=False)
    _strict: re.Pattern[str] = field(init=False, compare=False, repr=False)
    _loose: re.Pattern[str] = field(init=False, compare=False, repr=False)
    _loose_names: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.template, str) or not self.template:
            raise ValueError("档号格式不能为空")
        try:
            parsed = list(string.Formatter().parse(self.template))
        except ValueError as e:
            raise ValueError(f"档号格式「{self.template}」无法解析：{e}") from None
        pieces: list[tuple[str, str | None]] = []
        names: list[str] = []
        width: int | None = None
        strict: list[str] = []
        loose: list[str] = []
        for literal, name, spec, conversion in parsed:
            if literal:
                pieces.append((literal, None))
                strict.append(_literal_re(literal))
                loose.append(_literal_re(literal))
            if name is None:
                continue
            if not name.isidentifier():
                raise ValueError(f"档号格式的字段名「{name}」无效：应为英文标识符")
            if conversion:
                raise ValueError(f"档号格式的字段「{name}」不能使用 !{conversion} 转换")
            if name == "number":
                if "number" in names:
                    raise ValueError("档号格式只能含一个 {number}（件号）")
                m = re.fullmatch(r"(?:0([0-9]+))?d?", spec or "", re.ASCII)
                if not m:
                    raise ValueError(f"件号的格式「{spec}」无效：应为 0Nd（如 04d）或省略")
                width = int(m.group(1)) if m.group(1) else None
                strict.append(f"(?P<number>[0-9]{{{width}}})" if width else "(?P<number>[0-9]+)")
            else:
                if spec:
                    raise ValueError(f"档号格式的字段「{name}」不能带格式说明「:{spec}」")
                if name in names:
                    strict.append(f"(?P={name})")
                else:
                    strict.append(f"(?P<{name}>{_FIELD_RE.get(name, _OTHER_FIELD_RE)})")
            loose.append(f"({_LOOSE_FIELD_RE})")
            pieces.append((spec or "", name))
            names.append(name)
        if "number" not in names:
            raise ValueError(f"档号格式「{self.template}」缺少 {{number}}（件号）")
        object.__setattr__(self, "field_names", tuple(dict.fromkeys(names)))
        object.__setattr__(self, "number_width", width)
        object.__setattr__(self, "_pieces", tuple(pieces))
        flags = re.ASCII | re.IGNORECASE
        object.__setattr__(self, "_strict", re.compile("".join(strict), flags))
        object.__setattr__(self, "_loose", re.compile("".join(loose), flags))
        object.__setattr__(self, "_loose_names", tuple(names))

    # -- description -------------------------------------------------------------------

    def describe(self) -> str:
        """The pattern in words, e.g. ``全宗号-门类代码·年度-保管期限-类别代码-件号(4位)``."""
        out = []
        for text, name in self._pieces:
            if name is None:
                out.append(text)
            elif name == "number" and self.number_width:
                out.append(f"件号({self.number_width}位)")
            else:
                out.append(_label(name))
        return "".join(out)

    def shape_matches(self, value: str) -> bool:
        """True when ``value`` looks like this pattern (right separators), valid or not."""
        return bool(self._loose.fullmatch(normalize_width(value).strip()))

    # -- rendering ---------------------------------------------------------------------

    def _render(self, values: Mapping[str, object], with_number: bool) -> str:
        out = []
        for text, name in self._pieces:
            if name is None:
                out.append(text)
            elif name == "number":
                if with_number:
                    out.append(format(values["number"], text or "d"))
            else:
                out.append(str(values[name]))
        return "".join(out)

    def _clean(self, fields: Mapping[str, object], need_number: bool) -> dict[str, object]:
        wanted = [n for n in self.field_names if need_number or n != "number"]
        missing = [n for n in wanted if n not in fields or fields[n] in (None, "")]
        if missing:
            labels = "、".join(f"{_label(n)}({n})" for n in missing)
            raise IdentifierError(f"档号字段缺失：{labels}", "pattern")
        clean: dict[str, object] = {}
        for name in wanted:
            raw = fields[name]
            if name == "number":
                try:
                    number = int(normalize_width(str(raw)).strip())
                except ValueError:
                    raise IdentifierError(f"件号错误：「{raw}」不是整数", "number") from None
                if number < 1:
                    raise IdentifierError(f"件号错误：应从 1 开始，实为 {number}", "number")
                if self.number_width and number >= 10**self.number_width:
                    raise IdentifierError(
                        f"件号错误：{number} 超出 {self.number_width} 位", "number"
                    )
                clean[name] = number
                continue
            text = normalize_width(str(raw)).strip().upper()
            pattern = _FIELD_RE.get(name, _OTHER_FIELD_RE)
            if not re.fullmatch(pattern, text, re.ASCII):
                rule = name if name in ("year", "retention") else "pattern"
                raise IdentifierError(
                    f"{_label(name)}错误：「{text}」不符合 {self._field_hint(name)}", rule
                )
            clean[name] = text
        return clean

    def _field_hint(self, name: str) -> str:
        if name == "year":
            return "4 位数字年度"
        if name == "retention":
            return "Y（永久）、D30、D10 等保管期限代码"
        if name == "number":
            return f"{self.number_width} 位数字" if self.number_width else "数字"
        return "大写字母和数字"

    def format(self, **fields: object) -> str:
        """Render a 档号 from its fields (``number`` an int or digits)."""
        clean = self._clean(fields, need_number=True)
        return self.parse(self._render(clean, with_number=True)).value

    def class_key(self, **fields: object) -> str:
        """The 档号 rendered without its 件号 (``number`` is ignored if given): 件号 run
        gap-free within one class key."""
        clean = self._clean(fields, need_number=False)
        return self._render(clean, with_number=False)

    # -- parsing -----------------------------------------------------------------------

    def parse(self, value: str, today: date | None = None) -> ArchiveNumber:
        """Parse and validate a 档号; raises :class:`IdentifierError`."""
        v = _prepare(value, "档号")
        m = self._strict.fullmatch(v)
        if not m:
            self._diagnose(v)
        groups = {name: m.group(name).upper() for name in self.field_names}
        if "year" in groups:
            year = int(groups["year"])
            latest = (today or date.today()).year + 1
            if not _EARLIEST_ARCHIVE_YEAR <= year <= latest:
                raise IdentifierError(
                    f"年度错误：{year} 不在 {_EARLIEST_ARCHIVE_YEAR}–{latest} 之间", "year"
                )
        number = int(groups["number"])
        if number < 1:
            raise IdentifierError(f"件号错误：应从 1 开始，实为 {groups['number']}", "number")
        canonical = dict(groups)
        canonical["number"] = number  # type: ignore[assignment]
        return ArchiveNumber(
            value=self._render(canonical, with_number=True),
            fields=groups,
            number=number,
            class_key=self._render(canonical, with_number=False),
        )

    def _diagnose(self, v: str) -> None:
        """Raise the most specific error for a value that does not match strictly."""
        m = self._loose.fullmatch(v)
        if m:
            seen: dict[str, str] = {}
            for name, text in zip(self._loose_names, m.groups(), strict=True):
                if name == "number":
                    pattern = f"[0-9]{{{self.number_width}}}" if self.number_width else "[0-9]+"
                    if not re.fullmatch(pattern, text, re.ASCII):
                        raise IdentifierError(
                            f"件号错误：应为 {self._field_hint('number')}（不足补 0），"
                            f"实为「{text}」",
                            "number",
                        )
                    continue
                if name in seen and seen[name].upper() != text.upper():
                    raise IdentifierError(
                        f"{_label(name)}错误：同一档号中前后不一致（「{seen[name]}」与「{text}」）",
                        "pattern",
                    )
                seen[name] = text
                pattern = _FIELD_RE.get(name, _OTHER_FIELD_RE)
                if not re.fullmatch(pattern, text.upper(), re.ASCII):
                    rule = name if name in ("year", "retention") else "pattern"
                    raise IdentifierError(
                        f"{_label(name)}错误：应为 {self._field_hint(name)}，实为「{text}」", rule
                    )
        raise IdentifierError(f"档号格式错误：应为「{self.describe()}」，实为「{v}」", "pattern")


@lru_cache(maxsize=16)
def _cached_pattern(template: str) -> ArchiveNumberPattern:
    return ArchiveNumberPattern(template)


def archive_number_pattern(template: str | None = None) -> ArchiveNumberPattern:
    """The (cached) pattern for ``template``; without one, ``settings.HEDANG_ARCHIVE_NUMBER_PATTERN``
    (falling back to :data:`DEFAULT_ARCHIVE_NUMBER_PATTERN`). Needs configured settings only
    when ``template`` is omitted."""
    if template is None:
        from django.conf import settings  # imported lazily: this module is Django-free

        template = getattr(settings, "HEDANG_ARCHIVE_NUMBER_PATTERN", None)
        template = template or DEFAULT_ARCHIVE_NUMBER_PATTERN
    return _cached_pattern(template)


# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------

KINDS = ("resident_id", "report_number", "authorization_number", "archive_number")

_ID_SHAPE = re.compile(r"[0-9]{15,19}X?", re.ASCII | re.IGNORECASE)
_REPORT_SHAPE = re.compile(r"第?[0-9]{10,22}[A-Za-z]{2,4}[0-9]*号?", re.ASCII)
_TRUE_DOTS = "·・･‧•"


def classify(
    value: str,
    archive_pattern: ArchiveNumberPattern | None = None,
    today: date | None = None,
    valid_region_codes: Collection[str] | None = None,
) -> tuple[str | None, object | None, IdentifierError | None]:
    """Decide which kind of number ``value`` is and validate it.

    Returns ``(kind, parsed, error)``: ``kind`` is one of :data:`KINDS` or ``None`` when
    unrecognised; ``parsed`` the dataclass when valid; ``error`` the
    :class:`IdentifierError` when the kind is recognised but the value invalid (or, for an
    unrecognised value, an error with rule ``"unknown"``).
    """
    if not isinstance(value, str):
        return None, None, IdentifierError("无法识别：输入不是文本", "unknown")
    pattern = archive_pattern or ArchiveNumberPattern()
    v = normalize_width(value).strip()
    kind: str | None
    if v.startswith("居经") or "授第" in v:
        kind = "authorization_number"
    elif v.startswith("第") or (v.endswith("号") and not v.startswith("居")):
        kind = "report_number"
    elif any(c in v for c in _TRUE_DOTS):
        kind = "archive_number"
    elif _ID_SHAPE.fullmatch(v):
        kind = "resident_id"
    elif _REPORT_SHAPE.fullmatch(v):
        kind = "report_number"
    elif pattern.shape_matches(v):
        kind = "archive_number"
    else:
        return (
            None,
            None,
            IdentifierError("无法识别：不是身份证号、报告编号、授权书编号或档号", "unknown"),
        )
    try:
        parsed: object
        if kind == "resident_id":
            parsed = parse_resident_id(v, today=today)
        elif kind == "report_number":
            parsed = parse_report_number(v, valid_region_codes, today=today)
        elif kind == "authorization_number":
            parsed = parse_authorization_number(v, valid_region_codes, today=today)
        else:
            parsed = pattern.parse(v, today=today)
    except IdentifierError as e:
        return kind, None, e
    return kind, parsed, None
