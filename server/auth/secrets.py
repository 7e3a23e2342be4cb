"""Random secrets, their stored digests, and encryption of the few secrets shown back."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from server.settings import get_settings

# Unambiguous: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def activation_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


@functools.cache
def _aead(purpose: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"aspire-open", info=purpose.encode()
    ).derive(str(get_settings().secret_key).encode())
    return AESGCM(key)


def encrypt(value: str, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead(purpose).encrypt(nonce, value.encode(), purpose.encode())
    return base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, purpose: str) -> str:
    raw = base64.b64decode(token)
    return _aead(purpose).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
