"""HMAC-SHA256 signatures of outgoing nudges (docs/nudges.md#verifying-a-signature).

Every request carries:

- `X-Outcomes-Timestamp`: Unix seconds when it was signed;
- `X-Outcomes-Signature`: `v1=` and the hex HMAC-SHA256, under the channel's
  signing secret, of the bytes `<timestamp>.` followed by the raw body;
- `X-Outcomes-Delivery-Id`: the message's id, the same on every retry, so a
  receiver can drop a repeat.

A receiver recomputes the HMAC over the raw body it received, compares in
constant time, and refuses a timestamp older than its tolerance (replay).
`verify` is that receiver side, used by the tests' local receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Outcomes-Timestamp"
SIGNATURE_HEADER = "X-Outcomes-Signature"
DELIVERY_HEADER = "X-Outcomes-Delivery-Id"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """`v1=<hex>`: HMAC-SHA256 of `<timestamp>.<body>` under `secret`."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signed_headers(
    secret: str | bytes, body: bytes, delivery_id: str, timestamp: int | None = None
) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(stamp),
        SIGNATURE_HEADER: signature(secret, stamp, body),
        DELIVERY_HEADER: delivery_id,
    }


def verify(
    secret: str | bytes,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> str | None:
    """None when the request is authentic and fresh, else why it is refused."""
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not stamp.isdigit():
        return "missing or malformed timestamp"
    if not given.startswith(f"{SCHEME}="):
        return "missing signature"
    clock = time.time() if now is None else now
    if abs(clock - int(stamp)) > tolerance_seconds:
        return "timestamp outside the tolerance (replayed or clock skew)"
    if not hmac.compare_digest(signature(secret, int(stamp), body), given):
        return "signature does not match"
    return None
