"""Sealed data: bytes that only the application, holding its key, can read back.

Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package). The key is ANSWER_KEY
(one or more Fernet keys separated by commas: the first seals, every one opens, so a new key can
be put first while data sealed with the old one is still waiting), or, when that is empty, a key
derived from SECRET_KEY with HKDF. A Fernet token carries the time it was made in clear text;
sealing writes 0 there, so a sealed row tells nobody when it was written.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class SealError(Exception):
    """Sealed data that the configured keys cannot open (a changed key, or damaged data)."""


def derived_key(secret: str, purpose: str) -> bytes:
    """A Fernet key for one purpose, derived from the application's secret."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"netapp {purpose}".encode()).derive(
        secret.encode())
    return base64.urlsafe_b64encode(raw)


@cache
def _fernet(secret: str, configured: str) -> MultiFernet:
    keys = [k.strip() for k in configured.split(",") if k.strip()] or [derived_key(secret, "sealed answers v1")]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise RuntimeError("ANSWER_KEY must be Fernet keys (32 url-safe base64 bytes each), separated by commas; "
                           "make one with: python -c 'from cryptography.fernet import Fernet; "
                           "print(Fernet.generate_key().decode())'") from exc


def _current() -> MultiFernet:
    cfg = current_app.config
    return _fernet(cfg["SECRET_KEY"], cfg.get("ANSWER_KEY") or "")


def seal(data: bytes) -> bytes:
    return _current().encrypt_at_time(data, 0)


def unseal(token: bytes) -> bytes:
    """Raises SealError when no configured key opens it."""
    try:
        return _current().decrypt(bytes(token))
    except InvalidToken:
        raise SealError("sealed data cannot be opened with the configured keys") from None
