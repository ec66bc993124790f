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
