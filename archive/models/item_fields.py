"""What ``Item.fields`` holds: one JSON object, each key written by one app.

The column is JSON so that apps above the core can keep what they learnt about an item without
a migration of archive's; this schema is the contract between them. Every key is optional (an
item carries only what its way in wrote). Keys no app reads are kept as they came.

| key | holds | written by |
|---|---|---|
| ``identifiers`` | ``{"resident_ids", "report_numbers", "authorization_numbers", "names", "dates"}`` found in the text | ingest (pipeline), scanning (stack parts) |
| ``candidates`` | ids of the households the text could belong to (review queue) | ingest |
| ``source`` | ``{"document", "name"}`` (+ ``first_page``, ``last_page``, ``separator_page`` for a stack part) | ingest, scanning |
| ``page_quality`` | the DA/T 31 checks of every scanned page and their summary | ingest (scanprep), scanning (re-check) |
| ``form`` | ``{"template", "fields", ...}`` extracted from a table form; ``names``: one entry per name cell checked against the known household (``path``, ``source`` ``read``/``matched``, ``read`` = the text read, ``value``); ``missing``: columns the layout does not print; ``mismatch``: why the form was not mapped; ``amounts``: merged-cell and prose amounts; ``unsure``: ``[{"path", "value", "reason"}]`` IDs still failing their check after a second reading | ingest (formocr, knownnames) |
| ``provenance`` | where each value of the item came from: ``{"formation_date": "form", "case" or "review", "year": …, "case": case id}`` (``PROVENANCE_SOURCES``) | ingest (dating, review), scanning (stack parts) |
| ``review`` | ``{"accepted_by", "accepted_at"}`` or ``{"split_of", ...}``: who confirmed it | ingest (review), scanning (split) |
| ``proposed_split`` | the separator sheets' plan of a stack waiting for 确认拆分 | scanning |
| ``home_visit_media`` | one entry per photo/video file: ``kind``, ``file_id``, EXIF time and place | scanning (media) |
| ``signature`` | ``{"present", "valid", "signer"}``: the receipt's summary | push |
| ``signatures`` | pyHanko's finding for each signature in the pushed PDF | push |
| ``platform`` | ``{"token", "kind", "flags", "received_at"}`` of the push | push |
| the push metadata | the validated ``metadata`` of ``POST /api/v1/reports`` / ``materials`` (``report_number``, ``issued_on``, ``household``…) at the top level | push |
"""

from __future__ import annotations

from typing import Any, TypedDict


class Identifiers(TypedDict, total=False):
    resident_ids: list[str]
    report_numbers: list[str]
    authorization_numbers: list[str]
    names: list[str]
    dates: list[str]  # ISO dates


class Source(TypedDict, total=False):
    document: int
    name: str
    first_page: int
    last_page: int
    separator_page: int


class Signature(TypedDict):
    present: bool
    valid: bool
    signer: str | None


class PlatformPush(TypedDict):
    token: str | None
    kind: str
    flags: list[str]
    received_at: str


# The sources of ``fields["provenance"]`` and how the item page names them (来源：…).
PROVENANCE_SOURCES = {"form": "表单", "case": "案卷", "review": "人工"}


class Provenance(TypedDict, total=False):
    formation_date: str  # a key of PROVENANCE_SOURCES
    year: str
    case: int


def provenance_labels(fields: dict | None) -> dict[str, str]:
    """``{"formation_date": "表单", ...}``: the item page's 来源 of each value."""
    provenance = (fields or {}).get("provenance") or {}
    return {
        key: PROVENANCE_SOURCES[value]
        for key, value in provenance.items()
        if isinstance(value, str) and value in PROVENANCE_SOURCES
    }


class ItemFields(TypedDict, total=False):
    """``Item.fields``: see the table in this module's docstring for who writes each key."""

    identifiers: Identifiers
    candidates: list[int]
    source: Source
    page_quality: dict[str, Any]
    form: dict[str, Any]
    review: dict[str, Any]
    proposed_split: dict[str, Any]
    home_visit_media: list[dict[str, Any]]
    signature: Signature
    signatures: list[dict[str, Any]]
    platform: PlatformPush
    provenance: Provenance
