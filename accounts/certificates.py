"""Certificate sign-in (实名认证) behind a TLS proxy that verifies client certificates.

nginx (docs/nginx-client-cert.conf) checks the certificate against the agency CA and passes it
on, URL-escaped PEM, in ``X-SSL-Client-Cert``. The header is believed only when the request
comes straight from an address in HEDANG_TRUSTED_PROXIES (REMOTE_ADDR, never a forwarded
address); the application checks again the issuer's signature, the validity dates and the CRL,
then maps issuer + serial to a :class:`UserCertificate`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend

from accounts.gates import setting


class CertificateError(Exception):
    """A certificate that must not sign anyone in; the message is Chinese."""


def from_trusted_proxy(request) -> bool:
    addr = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    for entry in setting("HEDANG_TRUSTED_PROXIES") or []:
        try:
            if ip in ipaddress.ip_network(str(entry).strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def presented_pem(request) -> str:
    """The PEM the trusted proxy passed on, or "" (also when the sender is not trusted)."""
    header = setting("HEDANG_CLIENT_CERT_HEADER") or "HTTP_X_SSL_CLIENT_CERT"
    raw = request.META.get(header, "")
    if not raw or not from_trusted_proxy(request):
        return ""
    return unquote(raw)


@lru_cache(maxsize=8)
def _load_ca(path: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def _load_crl(path: str) -> x509.CertificateRevocationList:
    data = Path(path).read_bytes()
    if data.lstrip().startswith(b"-----"):
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def _signed_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    key = ca.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(
                cert.signature,
                cert.tbs_certificate_bytes,
                padding.PKCS1v15(),
                cert.signature_hash_algorithm,
            )
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(
                cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm)
            )
        else:
            cert.verify_directly_issued_by(ca)
    except Exception:
        return False
    return cert.issuer == ca.subject


def check(pem: str, *, now: dt.datetime | None = None) -> x509.Certificate:
    """The parsed certificate if it is issued by the configured CA, valid now and not revoked."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError as exc:
        raise CertificateError("证书无法解析") from exc
    ca_file = setting("HEDANG_CLIENT_CA_FILE")
    if not ca_file:
        raise CertificateError("未配置证书颁发机构（HEDANG_CLIENT_CA_FILE）")
    ca = _load_ca(str(ca_file))
    if not _signed_by(cert, ca):
        raise CertificateError("证书不是本机构认可的颁发机构签发的")
    now = now or dt.datetime.now(dt.UTC)
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        raise CertificateError("证书不在有效期内")
    crl_file = setting("HEDANG_CLIENT_CRL_FILE")
    if crl_file:
        crl = _load_crl(str(crl_file))
        if not crl.is_signature_valid(ca.public_key()):
            raise CertificateError("证书吊销列表（CRL）签名无效")
        if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
            raise CertificateError("证书已被吊销")
    return cert


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def user_for(cert: x509.Certificate):
    from accounts.models import UserCertificate

    row = (
        UserCertificate.objects.select_related("user")
        .filter(issuer=cert.issuer.rfc4514_string(), serial=serial_hex(cert), active=True)
        .first()
    )
    return row.user if row else None


class CertificateBackend(BaseBackend):
    """``authenticate(request, client_certificate=True)`` signs in the certificate's user.

    Permissions stay with ModelBackend (this one grants none, so it adds no queries).
    """

    def get_user(self, user_id):
        return get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()

    def authenticate(self, request, client_certificate=False, **kwargs):
        if not client_certificate or request is None:
            return None
        pem = presented_pem(request)
        if not pem:
            return None
        try:
            cert = check(pem)
        except CertificateError as exc:
            request.accounts_certificate_error = str(exc)
            return None
        user = user_for(cert)
        if user is None:
            request.accounts_certificate_error = "证书未登记到任何账号"
            return None
        if not user.is_active:
            return None
        request.accounts_certificate_serial = serial_hex(cert)
        return user
