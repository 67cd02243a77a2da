"""Key pair crypto: generate SSH/x509 keys and compute fingerprints the way Nova does."""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from novalite.common import exception


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in digest)


def ssh_fingerprint(public_key: str) -> str:
    """MD5 of the decoded key blob, colon separated (``ssh-keygen -E md5 -l``)."""
    parts = public_key.strip().split()
    if len(parts) < 2:
        raise exception.Invalid(message="Keypair data is invalid: failed to generate "
                                        "fingerprint")
    try:
        serialization.load_ssh_public_key(" ".join(parts[:2]).encode())
        blob = base64.b64decode(parts[1], validate=True)
    except (ValueError, binascii.Error, TypeError, exception.NovaliteException):
        raise exception.Invalid(message="Keypair data is invalid: failed to generate "
                                        "fingerprint") from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).digest())


def x509_fingerprint(certificate: str) -> str:
    """SHA1 of the DER certificate, colon separated."""
    try:
        cert = x509.load_pem_x509_certificate(certificate.encode())
    except ValueError:
        raise exception.Invalid(message="Keypair data is invalid: failed to generate "
                                        "fingerprint") from None
    return _colon_hex(cert.fingerprint(hashes.SHA1()))  # noqa: S303 - Nova's format


def generate_ssh(bits: int = 2048) -> tuple[str, str]:
    """A new RSA key: (private key PEM, OpenSSH public key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, f"{public} Generated-by-Nova"


def generate_x509(user_id: str, bits: int = 2048) -> tuple[str, str]:
    """A new RSA key and a self-signed certificate for it: (private key PEM, cert PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id or "novalite")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    return private, cert.public_bytes(serialization.Encoding.PEM).decode()
