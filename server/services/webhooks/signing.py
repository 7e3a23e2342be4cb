"""Signatures of webhook deliveries: HMAC-SHA256 over "<timestamp>.<body>" with the secret.

Headers: `Aspire-Timestamp` (Unix seconds when sent) and `Aspire-Signature` ("v1=" and the
hex digest). A receiver recomputes the digest over the raw body, compares in constant time
and refuses a timestamp more than TOLERANCE_SECONDS away from its clock (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "Aspire-Timestamp"
SIGNATURE_HEADER = "Aspire-Signature"
EVENT_HEADER = "Aspire-Event"
DELIVERY_HEADER = "Aspire-Delivery"
TOLERANCE_SECONDS = 300
EVENT = "sharedTargets.changed"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str | None, signed: str | None, body: bytes,
           now: float | None = None, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when the signature is the secret's over this timestamp and body, and the
    timestamp is recent. Any of several "v1=" values may match (a rotated secret)."""
    if not timestamp or not signed or not timestamp.isdigit():
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > tolerance:
        return False
    wanted = signature(secret, int(timestamp), body)
    return any(hmac.compare_digest(wanted, part.strip()) for part in signed.split(","))
