"""What a tool's webhook delivery means, in the shape of its export files.

Each tool that pushes has `pipelines/<tool>/webhooks.py` with:

- `verify(headers, body, secret, now) -> str | None`: None when the delivery is
  authentic and fresh, else the reason to refuse it (the tool's own signature
  scheme; see docs/webhooks.md).
- `delivery_id(headers, body) -> str`: the tool's id of the delivery, so a
  replayed or redelivered one lands once.
- `records(headers, payload) -> dict[export file, list[record]]`: the records
  the delivery carries, each in the shape the tool's export file (and its
  REST API) has, so `policy.yml` applies unchanged. An event the product
  does not use maps to nothing.

Signatures are compared in constant time (hmac.compare_digest).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

# A delivery whose signed time is older (or further ahead) than this is a replay.
MAX_AGE = dt.timedelta(minutes=5)


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def hex_signature_matches(secret: str, body: bytes, header: str | None, prefix: str) -> bool:
    """`<prefix><hex HMAC-SHA256 of the body>` (GitHub's and Jira's scheme)."""
    if not header or not header.startswith(prefix):
        return False
    expected = prefix + hmac_sha256(secret, body).hex()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def base64_signature_matches(secret: str, message: bytes, header: str | None) -> bool:
    """base64 of the HMAC-SHA256 of `message` (Zendesk's scheme)."""
    if not header:
        return False
    expected = base64.b64encode(hmac_sha256(secret, message))
    return hmac.compare_digest(expected, header.strip().encode())


def stale(signed_at: dt.datetime | None, now: dt.datetime) -> str | None:
    """Why a signed time makes the delivery a replay, or None when it is fresh."""
    if signed_at is None:
        return "no signed timestamp"
    if abs(now - signed_at) > MAX_AGE:
        return f"signed at {signed_at:%Y-%m-%dT%H:%M:%SZ}, more than 5 minutes from now (replay)"
    return None


def header(headers, name: str) -> str | None:
    """A header by name, whatever its case (HTTP header names are case-insensitive)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None
