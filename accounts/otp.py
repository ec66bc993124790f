"""Second factor on django-otp: TOTP (authenticator app) plus single-use recovery codes.

Who must use it: superusers and the roles of HEDANG_TOTP_REQUIRED_ROLES; anyone else may enrol.
Enrolment and reset are 新增/删除 entries in the operation log with ``detail.otp``.
"""

from __future__ import annotations

import base64
import re

import zxingcpp
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.gates import setting
from archive import audit

RECOVERY_CODES = 10


def required_for(user) -> bool:
    if not setting("HEDANG_REQUIRE_TOTP"):
        return False
    if user.is_superuser:
        return True
    roles = setting("HEDANG_TOTP_REQUIRED_ROLES") or []
    return user.groups.filter(name__in=roles).exists()


def enrolled(user) -> bool:
    return user_has_device(user, confirmed=True)


def pending_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device of an enrolment in progress (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def qr_svg(url: str) -> str:
    """The otpauth:// URL as an inline SVG QR code (zxing-cpp, already used for barcodes)."""
    svg = zxingcpp.write_barcode_to_svg(zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode))
    svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
    match = re.match(r'<svg width="(\d+)" height="(\d+)"', svg)
    if match:
        w, h = match.groups()
        svg = svg.replace(
            match.group(0),
            f'<svg viewBox="0 0 {w} {h}" width="100%" height="100%" role="img" aria-label="二维码"',
            1,
        )
    return svg


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def confirm(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the enrolment with a first code; returns the new recovery codes."""
    if not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    codes = new_recovery_codes(device.user)
    audit.record(
        audit.Action.CREATE,
        device.user,
        request=request,
        detail={"otp": "enrol", "device": "totp"},
    )
    return codes


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def verify(request, token: str):
    """Match a TOTP code or a recovery code; marks the session verified on success."""
    from django_otp import login as otp_login

    device = match_token(request.user, (token or "").strip().replace(" ", ""))
    if device is not None:
        otp_login(request, device)
        if isinstance(device, StaticDevice):
            audit.record(
                audit.Action.LOGIN,
                request.user,
                request=request,
                detail={"otp": "recovery_code", "left": device.token_set.count()},
            )
    return device


def reset(request, user) -> int:
    """Remove every second-factor device of ``user`` (they enrol again at next sign-in)."""
    count = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        count += 1
    audit.record(
        audit.Action.DELETE, user, request=request, detail={"otp": "reset", "devices": count}
    )
    return count
