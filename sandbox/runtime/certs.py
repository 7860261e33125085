"""The sandbox's own RSA key and certificate, for signing return URLs and notifications.

FPS era C (fps-spec.md §2.5): outbound parameters carry signatureVersion=2,
signatureMethod=RSA-SHA1, a certificateUrl, and a SHA1withRSA signature over the v2 string to
sign of the receiving URL. The key pair and a self-signed certificate are made on first run
and kept in the instance folder.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from ..signature import string_to_sign_v2, url_host

SIGNATURE_PARAMS = ("signature", "signatureVersion", "signatureMethod", "certificateUrl")


class Signer:
    """Signs and verifies with the sandbox key; `cert_dir` is the yymmdd part of certificateUrl."""

    def __init__(self, key_dir: str | Path) -> None:
        key_dir = Path(key_dir)
        key_path, cert_path = key_dir / "fps-signing-key.pem", key_dir / "PKICert.pem"
        if not key_path.exists() or not cert_path.exists():
            _create(key_dir, key_path, cert_path)
        self._key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        self.cert_pem = cert_path.read_bytes()
        cert = x509.load_pem_x509_certificate(self.cert_pem)
        self._public_key = cert.public_key()
        self.cert_dir = cert.not_valid_before_utc.strftime("%y%m%d")

    def sign(self, text: str) -> str:
        raw = self._key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - FPS era C
        return base64.b64encode(raw).decode("ascii")

    def verify(self, text: str, signature: str) -> bool:
        try:
            raw = base64.b64decode(signature, validate=True)
            self._public_key.verify(raw, text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
        except (InvalidSignature, ValueError):
            return False
        return True

    def sign_params(self, method: str, url: str, params: Mapping[str, str], certificate_url: str) -> dict[str, str]:
        """`params` plus the four signature parameters, signed for delivery to `url`.

        `params` must already hold the receiving URL's own query parameters: they are signed too.
        """
        signed = {**params, "signatureVersion": "2", "signatureMethod": "RSA-SHA1", "certificateUrl": certificate_url}
        signed["signature"] = self.sign(outbound_string_to_sign(method, url, signed))
        return signed


def outbound_string_to_sign(method: str, url: str, params: Mapping[str, str]) -> str:
    """The v2 string to sign for parameters delivered to `url` (its query is ignored here)."""
    return string_to_sign_v2(method, url_host(url), urlsplit(url).path or "/", params, exclude="signature")


def _create(key_dir: Path, key_path: Path, cert_path: Path) -> None:
    key_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "FPS Sandbox"),
        x509.NameAttribute(NameOID.COMMON_NAME, "fps-sandbox outbound signing"),
    ])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    tmp = key_path.with_suffix(".tmp")
    tmp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    os.chmod(tmp, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tmp.replace(key_path)
