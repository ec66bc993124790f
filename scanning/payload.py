"""The separator sheet's QR payload: short, ASCII, upper case (QR alphanumeric mode).

    HD1:<head's resident ID, 18 chars>:<subtype code>:<check>

``HD1`` names the format (version 1). ``check`` is the first 4 characters of the base32
(RFC 4648) encoding of sha256 over everything before the last colon, e.g.
``HD1:420102198503151234:RHB:`` → ``HD1:420102198503151234:RHB:VX2H``. It is a plain hash, not
a secret: it catches misreads and hand-edited codes, not forgery (a forged sheet can only
file paper into a household the scanning agency may file into anyway).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

PREFIX = "HD1"
CHECK_LENGTH = 4
_PATTERN = re.compile(r"^HD1:(\d{17}[\dX]):([A-Z0-9]{1,8}):([A-Z2-7]{4})$")


class InvalidPayload(ValueError):
    """A code that starts like ours but does not check out."""


@dataclass(frozen=True)
class Separator:
    household: str  # the head's resident ID
    subtype: str  # the subtype code (archive.categories.STANDARD_SUBTYPES)

    @property
    def payload(self) -> str:
        return encode(self.household, self.subtype)


def check_value(body: str) -> str:
    digest = hashlib.sha256(body.encode("ascii")).digest()
    return base64.b32encode(digest).decode("ascii")[:CHECK_LENGTH]


def encode(household: str, subtype: str) -> str:
    household, subtype = household.strip().upper(), subtype.strip().upper()
    body = f"{PREFIX}:{household}:{subtype}:"
    if not _PATTERN.match(body + "AAAA"):
        raise ValueError(f"无法编码分隔页：{household} {subtype}")
    return body + check_value(body)


def is_ours(text: str) -> bool:
    """Whether a decoded code claims to be a separator sheet (valid or not)."""
    return text.strip().upper().startswith(PREFIX + ":")


def decode(text: str) -> Separator:
    """The separator a payload names; InvalidPayload when it is malformed or fails its check."""
    text = text.strip().upper()
    match = _PATTERN.match(text)
    if not match:
        raise InvalidPayload(f"分隔页二维码格式不对：{text[:60]}")
    household, subtype, check = match.groups()
    if check_value(text[: -len(check)]) != check:
        raise InvalidPayload(f"分隔页二维码校验值不符：{text[:60]}")
    return Separator(household, subtype)
