"""A test CA, client certificates and a CRL, made with cryptography (no files from outside)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "湖北省民政厅核对中心"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


class DemoCA:
    def __init__(self, name: str = "核档测试 CA"):
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.revoked: list[int] = []

    def issue(self, cn: str, *, days: int = 30, start_days_ago: int = 1) -> x509.Certificate:
        return self.issue_with_key(cn, days=days, start_days_ago=start_days_ago)[0]

    def issue_with_key(self, cn: str, *, days: int = 30, start_days_ago: int = 1, server=False):
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=start_days_ago))
            .not_valid_after(now - dt.timedelta(days=start_days_ago) + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        if server:
            cert = cert.add_extension(
                x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False
            )
        return cert.sign(self.key, hashes.SHA256()), key

    def crl(self) -> x509.CertificateRevocationList:
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(now - dt.timedelta(hours=1))
            .next_update(now + dt.timedelta(days=7))
        )
        for serial in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - dt.timedelta(minutes=5))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())

    def write(self, folder: Path) -> tuple[Path, Path]:
        ca_file, crl_file = folder / "ca.pem", folder / "crl.pem"
        ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        crl_file.write_bytes(self.crl().public_bytes(serialization.Encoding.PEM))
        return ca_file, crl_file


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
