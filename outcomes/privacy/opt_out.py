"""Opt-outs (docs/privacy.md#opt-outs): a person on the list leaves every mart.

The list is a CSV of emails (`privacy/opt_out.csv`, git-ignored; the example
`privacy/opt_out.example.csv` is committed) with an `email` header. It is
loaded hashed into `privacy.opt_outs (person_key, source_system)`: one row
per person and source whose policy has `opt_out_allowed: true`, email
pseudonyms only, so the warehouse never stores who opted out in clear text
and the models need no list of sources. In dbt, `int_accounts_opted_out`
turns it into every identifier of the person per source and the macro
`consented` drops their staging rows before any model above staging reads
them (privacy/README.md). `opt_out_filter` renders the same rule as a
predicate on (person, source_system) for ad-hoc queries and tests.
"""

from __future__ import annotations

import csv
from pathlib import Path

from outcomes.config import PROJECT_DIR
from outcomes.errors import OutcomesError
from outcomes.privacy.people import audit_log_for, policies
from outcomes.privacy.pseudonym import pseudonymize
from outcomes.warehouse import connect

DEFAULT_OPT_OUT_FILE = PROJECT_DIR / "privacy" / "opt_out.csv"
OPT_OUT_ENV = "OUTCOMES_OPT_OUT_FILE"
OPT_OUT_TABLE = "privacy.opt_outs"


def opt_out_sources() -> tuple[str, ...]:
    """Sources whose policy lets a person opt out, sorted."""
    return tuple(sorted(s for s, p in policies().items() if p.opt_out_allowed))


def read_opt_out_emails(path: Path) -> list[str]:
    """Emails of the list, normalized (trimmed, lower-cased), de-duplicated, sorted.

    A missing file is an empty list: nobody opted out.
    """
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        reader = csv.DictReader(line for line in handle if not line.lstrip().startswith("#"))
        if reader.fieldnames is None:
            return []
        if "email" not in reader.fieldnames:
            raise OutcomesError(f"{path}: the opt-out list needs an `email` column header")
        emails = {(row.get("email") or "").strip().lower() for row in reader}
    emails.discard("")
    bad = sorted(e for e in emails if "@" not in e)
    if bad:
        raise OutcomesError(f"{path}: {len(bad)} value(s) of `email` are not emails")
    return sorted(emails)


_CREATE_TABLE = (
    f"create or replace table {OPT_OUT_TABLE} (person_key varchar not null, "
    "source_system varchar not null, primary key (person_key, source_system))"
)


def ensure_opt_out_table(warehouse: Path) -> None:
    """Create an empty `privacy.opt_outs` when a warehouse has none yet."""
    con = connect(warehouse, read_only=False)
    try:
        con.execute("create schema if not exists privacy")
        con.execute(_CREATE_TABLE.replace("create or replace table", "create table if not exists"))
    finally:
        con.close()


def load_opt_outs(
    warehouse: Path, salt: bytes, path: Path = DEFAULT_OPT_OUT_FILE, actor: str | None = None
) -> int:
    """Replace `privacy.opt_outs` with the hashed list; return how many people are on it.

    Always creates the table (empty when there is no list), so the models that
    filter on it build on every warehouse.
    """
    keys = sorted({pseudonymize(e, salt, "email", "roster") for e in read_opt_out_emails(path)})
    con = connect(warehouse, read_only=False)
    try:
        con.execute("begin transaction")
        con.execute("create schema if not exists privacy")
        con.execute(_CREATE_TABLE)
        rows = [[k, source] for k in keys for source in opt_out_sources()]
        if rows:
            con.executemany(f"insert into {OPT_OUT_TABLE} values (?, ?)", rows)
        con.execute("commit")
    finally:
        con.close()
    audit_log_for(warehouse, salt).append(
        "privacy.opt_outs_loaded", {"people": len(keys)}, actor=actor
    )
    return len(keys)


def opt_out_filter(
    person_column: str, source_column: str, opted_out_relation: str = OPT_OUT_TABLE
) -> str:
    """The SQL predicate that keeps a row unless its person opted out of its source.

    Both columns must be qualified by their table's alias (`events.source_system`):
    unqualified, `source_system` would resolve to the opt-out table's own column.
    Models do not use it: they read staging through the macro `consented`.
    """
    if "." not in person_column or "." not in source_column:
        raise ValueError("qualify both columns with their table alias, e.g. events.source_system")
    return (
        f"not exists (select 1 from {opted_out_relation} as opted_out "
        f"where opted_out.person_key = {person_column} "
        f"and opted_out.source_system = {source_column})"
    )
