"""Django validators over archive.identifiers, so forms, the API and models refuse alike."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from archive import identifiers


def _wrap(parse, value: str) -> None:
    try:
        parse(value)
    except identifiers.IdentifierError as exc:
        raise ValidationError(str(exc), code=exc.rule) from exc


def validate_resident_id(value: str) -> None:
    if value:
        _wrap(identifiers.parse_resident_id, value)


def validate_report_number(value: str) -> None:
    if value:
        _wrap(identifiers.parse_report_number, value)


def validate_authorization_number(value: str) -> None:
    if value:
        _wrap(identifiers.parse_authorization_number, value)


def validate_business_type(value: str) -> None:
    if len(value) != 2 or not value.isascii() or not value.isalpha() or not value.islower():
        raise ValidationError("核对项目代码应为两位小写字母 aa..zz", code="business_code")


# Bidirectional controls (U+202A–U+202E embeddings/overrides, U+2066–U+2069 isolates, the
# marks U+200E/U+200F/U+061C): in a name they make "张伟‮1234" display as something else,
# in the admin, in exports and in the operation log alike.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def validate_no_bidi(value: str) -> None:
    if isinstance(value, str) and any(ch in BIDI_CONTROLS for ch in value):
        bad = next(ch for ch in value if ch in BIDI_CONTROLS)
        raise ValidationError(
            f"不能含有双向文字控制字符（U+{ord(bad):04X}），它会改变文字的显示顺序",
            code="bidi_control",
        )
