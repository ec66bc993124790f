"""Two exact shortcuts in pyHanko's pure-Python parsing, installed once by archive/signing.py.

Measured on a pushed report (one signature, bench/push/cpu_profile.py): pyHanko read the
signature's ``/Contents`` hex string one byte at a time through a generator (≈200,000 Python
calls a report, half of the whole validation), and compared X.509 names by RFC 5280
string preparation even when both names are the same bytes (ESS certificate id against the
signer's issuer: ≈15 % of the validation).

* :func:`read_hex_string` reads the hex string up to ``>`` in one slice. It only handles the
  common shape (hex digits and white space); anything else (a comment, a stray character,
  a missing ``>``) goes back to pyHanko's own reader from the same position, so errors and
  odd files are treated exactly as before.
* :func:`install` also gives ``asn1crypto.x509.Name`` a byte-equality fast path: two names
  with the same DER encoding are equal under any normalisation; different bytes still go
  through the RFC 5280 comparison.
"""

from __future__ import annotations

import binascii
import re
import threading

_installed = False
_lock = threading.Lock()
# pyHanko's own reader, kept for the odd shapes (and for the tests to compare with).
pyhanko_hex_reader = None
_HEX = re.compile(rb"[0-9A-Fa-f]*")
_CHUNK = 1 << 16


def install() -> None:
    """Patch pyHanko's hex-string reader and asn1crypto's name equality (idempotent)."""
    global _installed, pyhanko_hex_reader
    if _installed:
        return
    with _lock:
        if _installed:
            return
        from asn1crypto import x509
        from pyhanko.pdf_utils import generic

        original_reader = pyhanko_hex_reader = generic.read_hex_string_from_stream
        whitespace = _whitespace()

        def read_hex_string(stream):
            return _read_hex_string(stream, original_reader, generic.pdf_string, whitespace)

        generic.read_hex_string_from_stream = read_hex_string

        name_eq = x509.Name.__eq__

        def same_name(self, other) -> bool:
            if isinstance(other, x509.Name) and self.chosen.dump() == other.chosen.dump():
                return True
            return name_eq(self, other)

        x509.Name.__eq__ = same_name
        _cache_signing_certificate_v2()
        _installed = True


def _cache_signing_certificate_v2() -> None:
    """The seal's ESS signing-certificate attribute, encoded once per certificate: pyHanko
    builds it anew for every signature and asn1crypto re-encodes the issuer name inside it
    (≈5 ms of a seal); the value depends on the certificate and hash algorithm only."""
    from asn1crypto import tsp
    from pyhanko.sign import attributes

    original = attributes.as_signing_certificate_v2
    encoded: dict[tuple[bytes, str], bytes] = {}

    def as_signing_certificate_v2(cert, hash_algo: str = "sha256"):
        key = (cert.sha256, hash_algo)
        der = encoded.get(key)
        if der is None:
            if len(encoded) > 64:
                encoded.clear()
            der = encoded[key] = original(cert, hash_algo).dump()
        return tsp.SigningCertificateV2.load(der)

    attributes.as_signing_certificate_v2 = as_signing_certificate_v2


def _whitespace() -> bytes:
    from pyhanko.pdf_utils.misc import PDF_WHITESPACE

    return bytes(PDF_WHITESPACE)


def _read_hex_string(stream, original, pdf_string, whitespace: bytes):
    """pyHanko's ``read_hex_string_from_stream`` for a stream at ``<``, in one slice."""
    start = stream.tell()
    stream.read(1)  # the "<"
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            stream.seek(start)
            return original(stream)  # no ">": pyHanko raises its own error
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            break
        parts.append(chunk)
    body = b"".join(parts)
    digits = body.translate(None, whitespace)
    if b"%" in body or _HEX.fullmatch(digits) is None:
        stream.seek(start)
        return original(stream)  # a comment or a bad character: the exact old path
    stream.seek(start + 1 + len(body) + 1)
    if len(digits) % 2:
        digits += b"0"
    return pdf_string(binascii.unhexlify(digits))
