"""Where the pseudonym salt comes from: never from the repository.

Order: the OUTCOMES_PSEUDONYM_SALT environment variable, then
`[outcomes] pseudonym_salt` in `.dlt/secrets.toml`. The demo alone may create
a random salt, stored beside its warehouse (git-ignored), so reruns produce
the same pseudonyms.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from outcomes.errors import OutcomesError

SALT_ENV = "OUTCOMES_PSEUDONYM_SALT"
MIN_SALT_CHARS = 16


def _from_secrets_file(project_dir: Path) -> str | None:
    """`[outcomes] pseudonym_salt` of the project's `.dlt/secrets.toml`, read by
    dlt's own secrets provider: the file and section `dlt.secrets` resolves
    when DLT_PROJECT_DIR is the project (outcomes/cli.py sets it), taken from
    `project_dir` so a caller (a test) can name another project."""
    from dlt.common.configuration.providers import SecretsTomlProvider
    from dlt.common.configuration.providers.toml import TomlProviderReadException

    settings_dir = project_dir / ".dlt"
    try:
        provider = SecretsTomlProvider(settings_dir=str(settings_dir))
    except TomlProviderReadException as exc:
        raise OutcomesError(f"{settings_dir / 'secrets.toml'}: not valid TOML ({exc})") from exc
    value, _ = provider.get_value("pseudonym_salt", str, None, "outcomes")
    return str(value) if value else None


def resolve_salt(project_dir: Path, demo_salt_file: Path | None = None) -> bytes:
    """Return the salt, or fail with a message that says how to provide one.

    `demo_salt_file` is given only by `outcomes demo`: a missing salt is then
    generated once and kept in that file.
    """
    value = os.environ.get(SALT_ENV) or _from_secrets_file(project_dir)
    if not value and demo_salt_file is not None:
        if demo_salt_file.exists():
            value = demo_salt_file.read_text().strip()
        else:
            value = secrets.token_hex(32)
            demo_salt_file.parent.mkdir(parents=True, exist_ok=True)
            demo_salt_file.write_text(value + "\n")
            demo_salt_file.chmod(0o600)
    if not value:
        raise OutcomesError(
            "missing secret: the pseudonym salt. Set the environment variable "
            f'{SALT_ENV} or add `pseudonym_salt = "..."` under [outcomes] in '
            ".dlt/secrets.toml (see .dlt/secrets.toml.example). It must stay the "
            "same across runs and never be committed."
        )
    if len(value) < MIN_SALT_CHARS:
        raise OutcomesError(
            f"the pseudonym salt is too short ({len(value)} characters); use at least "
            f"{MIN_SALT_CHARS} random characters, e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`"
        )
    return value.encode()


def configured_salt(warehouse: Path) -> bytes:
    """The salt configured for `warehouse` without making one: the environment or
    .dlt/secrets.toml, else the demo's salt file beside it. OutcomesError if none."""
    from outcomes.config import PROJECT_DIR

    try:
        return resolve_salt(PROJECT_DIR)
    except OutcomesError:
        demo_salt = warehouse.parent / f"{warehouse.stem}.salt"
        if demo_salt.exists():
            return resolve_salt(PROJECT_DIR, demo_salt_file=demo_salt)
        raise


# --- The warehouse's salt fingerprint -------------------------------------
#
# Every pseudonym and erasure token in a warehouse is an HMAC under one salt.
# A run under another salt would silently give everyone new pseudonyms
# (people counted twice, erased people back, since their tokens no longer
# match), so the warehouse keeps a keyed fingerprint of its salt and every
# run and privacy command compares it first.
#
# Where: a one-row table `privacy.salt_fingerprint` inside the warehouse, not
# a file beside it. The fingerprint must travel with the pseudonyms it
# vouches for: copying, restoring or replacing the warehouse file copies or
# replaces it too, while a file beside it could be left behind or lost (and a
# lost fingerprint would silently adopt whatever salt came next). It names
# nobody and reveals nothing of the salt: HMAC-SHA256 of a fixed label under
# the salt (anyone able to test a guessed salt against it could test it
# against any pseudonym of a known email as well).

FINGERPRINT_SCHEMA = "privacy"
FINGERPRINT_TABLE = f"{FINGERPRINT_SCHEMA}.salt_fingerprint"
_FINGERPRINT_LABEL = b"outcomes|salt-fingerprint|v1"
# How many roster rows a warehouse without a fingerprint (made before it
# existed) is checked against before its salt is adopted.
_IDENTITY_SAMPLE = 50

ROTATION_HINT = (
    "A deliberate rotation re-pseudonymizes everything, erasures included: keep the "
    "current salt configured and run `outcomes privacy rotate-salt --new-salt-env VAR` "
    "(VAR an environment variable holding the new salt), then configure the new salt."
)


def salt_fingerprint(salt: bytes) -> str:
    """HMAC-SHA256 of a fixed label under the salt (64 hex characters)."""
    import hashlib
    import hmac

    return hmac.new(salt, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def _table_exists(con, schema: str, table: str) -> bool:
    (count,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(count)


def stored_fingerprint(con) -> str | None:
    """The fingerprint the warehouse keeps, or None when it has none yet."""
    if not _table_exists(con, FINGERPRINT_SCHEMA, "salt_fingerprint"):
        return None
    row = con.execute(f"select fingerprint from {FINGERPRINT_TABLE} limit 1").fetchone()
    return row[0] if row else None


def write_fingerprint(con, salt: bytes) -> None:
    """Make `salt` the warehouse's salt (inside the caller's transaction, if any).

    One column, no timestamp: two warehouses loaded alike under one salt hold
    the same table (the audit log says when things happened)."""
    con.execute(f"create schema if not exists {FINGERPRINT_SCHEMA}")
    con.execute(
        f"create or replace table {FINGERPRINT_TABLE} as select cast(? as varchar) as fingerprint",
        [salt_fingerprint(salt)],
    )


def _mismatch(warehouse: Path, why: str) -> OutcomesError:
    return OutcomesError(
        f"the pseudonym salt is not the one the warehouse {warehouse} was built with ({why}): "
        "a run under it would give everyone new pseudonyms, count people twice and bring "
        f"erased people back, so nothing was done. Configure the original salt again "
        f"({SALT_ENV}, or `pseudonym_salt` under [outcomes] in .dlt/secrets.toml). " + ROTATION_HINT
    )


def _identity_agrees(con, salt: bytes) -> bool | None:
    """Whether the roster's pseudonyms are this salt's; None when there is no roster."""
    from outcomes.privacy.pseudonym import pseudonymize

    if not _table_exists(con, "identity", "people_identity"):
        return None
    rows = con.execute(
        "select email, person_key from identity.people_identity "
        "where email is not null order by person_key limit ?",
        [_IDENTITY_SAMPLE],
    ).fetchall()
    if not rows:
        return None
    return all(pseudonymize(email, salt, "email", "roster") == key for email, key in rows)


def check_salt(warehouse: Path, salt: bytes, record: bool = True) -> str:
    """Refuse a salt other than the warehouse's (OutcomesError); return what was found.

    "new": no warehouse yet (nothing to compare). "matched": the stored
    fingerprint is this salt's. "recorded": the warehouse had no fingerprint
    (made before fingerprints, or empty) and this salt agrees with its roster,
    or it has no roster to disagree with; the fingerprint was written (only
    when `record`, which a read-only command leaves off).
    """

    from outcomes.privacy.audit import register_key
    from outcomes.privacy.people import audit_log_for

    if not warehouse.exists():
        register_key(audit_log_for(warehouse, salt).path, salt)
        return "new"
    found = _check(warehouse, salt, record)
    # The salt is the warehouse's: this process may key its audit log with it.
    register_key(audit_log_for(warehouse, salt).path, salt)
    return found


def _check(warehouse: Path, salt: bytes, record: bool) -> str:
    from outcomes.warehouse import connect

    con = connect(warehouse, read_only=not record)
    try:
        stored = stored_fingerprint(con)
        if stored is not None:
            if stored != salt_fingerprint(salt):
                raise _mismatch(warehouse, "its privacy.salt_fingerprint differs")
            return "matched"
        if _identity_agrees(con, salt) is False:
            raise _mismatch(
                warehouse, "the roster's pseudonyms in identity were made under another"
            )
        if record:
            write_fingerprint(con, salt)
        return "recorded"
    finally:
        con.close()
