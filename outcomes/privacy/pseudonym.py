"""Keyed pseudonyms (docs/privacy.md#pseudonyms-at-ingest).

People identifiers are replaced before anything lands by HMAC-SHA256 of the
normalized value under a secret salt. Emails are lower-cased and trimmed so the
same person gets the same pseudonym in every tool; that is the only way tools
join to the roster. Tool account ids (a GitHub login, a Zendesk user id) are
namespaced by their source so equal ids of two tools never collide.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

PseudonymKind = Literal["email", "account"]

# 128 bits of the HMAC: collision-free for any realistic organisation and half
# the width of the full digest in every join and index.
PSEUDONYM_HEX_CHARS = 32


def normalize(value: str, kind: PseudonymKind, source: str) -> str:
    """The text that is hashed: emails trimmed and lower-cased, accounts namespaced."""
    if kind == "email":
        return value.strip().lower()
    return f"{source}:{value.strip()}"


# Open re-keyings (`rekeying`): (old salt, new salt, old pseudonym -> new).
_REKEYING: list[tuple[bytes, bytes, dict[str, str]]] = []


@contextmanager
def rekeying(old_salt: bytes, new_salt: bytes) -> Iterator[dict[str, str]]:
    """While open, every pseudonym made under `old_salt` is also made under
    `new_salt` and the pair recorded: reading the exports through the loaders
    maps each old pseudonym to its new one (`outcomes privacy rotate-salt`)."""
    pairs: dict[str, str] = {}
    entry = (old_salt, new_salt, pairs)
    _REKEYING.append(entry)
    try:
        yield pairs
    finally:
        _REKEYING.remove(entry)


def pseudonymize(value: str, salt: bytes, kind: PseudonymKind, source: str) -> str:
    """One pseudonym, as stored in every table outside the identity schema."""
    text = normalize(value, kind, source).encode()
    pseudonym = hmac.new(salt, text, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]
    for old_salt, new_salt, pairs in _REKEYING:
        if salt == old_salt:
            new = hmac.new(new_salt, text, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]
            pairs[pseudonym] = new
    return pseudonym


def pseudonymize_array(
    values: pa.Array | pa.ChunkedArray, salt: bytes, kind: PseudonymKind, source: str
) -> pa.Array:
    """Vectorized pseudonymize: hashes each distinct value once, keeps nulls null.

    Real exports repeat the same few thousand accounts millions of times, so
    hashing the uniques and gathering is ~100x faster than hashing per row.
    """
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    values = pc.cast(values, pa.string())
    uniques = pc.unique(values).drop_null()
    hashed = pa.array(
        [pseudonymize(v, salt, kind, source) for v in uniques.to_pylist()], type=pa.string()
    )
    positions = pc.index_in(values, value_set=uniques)
    return pc.take(hashed, positions)
