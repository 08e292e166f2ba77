"""A deliberate pseudonym salt rotation: `outcomes privacy rotate-salt`.

Every pseudonym is an HMAC of a person's identifier (email, tool account)
under the salt, and the warehouse keeps no identifier but the roster email
(identity): the only way to re-pseudonymize everything is to reload it from
the exports under the new salt, and an API source from its API: pulled in
full from its `start_date`, as `outcomes run --full-refresh` does. The erasure list cannot be re-keyed from
identity either, by design: an erased person's identity row is gone and
their tokens name nobody. So the rotation reads the configured exports (and
pulls the configured APIs, in memory) once through the loaders under the
current salt while recording, for every
pseudonym made, its pseudonym under the new salt
(`outcomes.privacy.pseudonym.rekeying`); each erasure token whose pseudonym
appears there gets its new token.

Then, all or nothing:

1. the current salt must be the warehouse's (fingerprint), the new one
   valid and different; unfinished erasures are finished first; the audit
   log must verify;
2. the warehouse file and its dlt state are moved aside, a new warehouse is
   created holding only the new fingerprint and the re-keyed erasure list,
   the audit log is re-signed under the new key;
3. `outcomes.runner.run` reloads every configured source under the new salt
   (the loaders drop erased people, as on every load), API sources by a
   full pull whose cursors become the new warehouse's, and builds; retention
   is applied again to the reloaded raw rows;
4. on success the old warehouse and its dlt state are deleted (they hold
   pseudonyms under the old salt); on any failure they are put back with
   the old audit log, and the warehouse is exactly as before.

An API source is pulled twice (once to pair the erasure tokens, once to
load), and the old cursors are never used again: the new warehouse's come
from its own pull, so its next incremental pull starts where that one ended;
on a failure the old state comes back with the old warehouse, its cursors
still naming that warehouse's rows.

The roster's history (`raw_roster.user_versions`, docs/connectors/roster.md#team-history)
is the one raw table that holds what the exports may no longer hold: versions
of a record that earlier loads saw (a SCIM server lists only today's). It is
carried to the new warehouse before the reload, every pseudonym re-keyed
through the same pairs; a row naming a pseudonym that has no new one
(someone no longer in the exports) is left behind with the old warehouse (an
erased person's rows were deleted by the erase, before any rotation). The reload then merges the exports' versions over it by key.

What it cannot carry: an erasure token whose person no longer appears in the
exports or the API (refused unless `drop_unmatched`, since a later export
naming them would bring them back), and other raw rows that are in the warehouse
but no longer in the exports or returned by the API from its start_date
(those are the source of truth; what they no longer hold is not reloaded).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from outcomes.config import Config, SourceConfig
from outcomes.errors import OutcomesError
from outcomes.nudges.privacy import carry_over as carry_nudges
from outcomes.privacy.audit import audit_key, register_key, rekey
from outcomes.privacy.erasures import erasure_token, read_erasure_tokens, record_erasures
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.pseudonym import rekeying
from outcomes.privacy.salt import MIN_SALT_CHARS, check_salt, salt_fingerprint, write_fingerprint


def _read_api(source: SourceConfig, salt: bytes, loaded_at: dt.datetime) -> None:
    """Pull every stream of an API source in full, from its start_date, and read
    it as a load would, in memory: nothing lands, no cursor moves (the pull
    keeps its own state, so the warehouse's published cursors are untouched)."""
    import orjson

    from pipelines.common.api import Pull, api_module
    from pipelines.common.policy import load_policy
    from pipelines.common.reader import read_records

    module = api_module(source.name)
    pull = Pull(source.name, source.api, module.client(source.api), full_refresh=True, salt=salt)
    pull._state = {}  # no pipeline: a full pull that keeps no state
    texts: dict[str, list[str]] = {}
    for table in load_policy(source.name).tables:
        if table.file not in texts:
            texts[table.file] = [orjson.dumps(r).decode() for r in module.STREAMS[table.file](pull)]
        origin = f"{source.name} API {table.file.removesuffix('.jsonl')}"
        read_records(
            table,
            source.name,
            [(origin, texts[table.file])],
            salt,
            loaded_at,
            source.since,
            source.until,
        )


def pseudonym_pairs(config: Config, old_salt: bytes, new_salt: bytes) -> dict[str, str]:
    """Old pseudonym -> new, for every pseudonym the configured sources produce:
    their exports read, their APIs pulled in full (without landing anything)."""
    from pipelines.common.load import source_module
    from pipelines.common.source import ReadReport

    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with rekeying(old_salt, new_salt) as pairs:
        for source in config.sources:
            if source.api is not None:
                _read_api(source, old_salt, loaded_at)
                continue
            source_fn = source_module(source.name)
            by_dataset: dict[str, list[str]] = {}
            for table in source_fn.policy.tables:
                by_dataset.setdefault(source_fn.policy.dataset_for(table), []).append(table.name)
            for tables in by_dataset.values():
                read = source_fn(
                    export_dir=str(source.path),
                    salt=old_salt,
                    tables=tables,
                    since=source.since,
                    until=source.until,
                    loaded_at=loaded_at,
                    report=ReadReport(),
                    erased=frozenset(),
                )
                for resource in read.resources.values():
                    for _ in resource:
                        pass
        return dict(pairs)


# Raw tables carried across a rotation (module doc): (schema, table) -> the
# columns holding pseudonyms, each re-keyed.
CARRIED_TABLES = {("raw_roster", "user_versions"): ("scim_user_key", "person_key")}


def carry_history(con, old_warehouse: Path, pairs: dict[str, str]) -> dict[str, int]:
    """Copy each carried table of `old_warehouse` into `con`'s warehouse with every
    pseudonym re-keyed (old -> new by `pairs`); a row with any pseudonym that has
    no new one stays behind. Returns rows copied per `schema.table`."""
    copied: dict[str, int] = {}
    con.execute("attach ? as previous (read_only)", [str(old_warehouse)])
    try:
        con.execute("create temp table rekeyed_pseudonyms (old varchar, new varchar)")
        con.executemany("insert into rekeyed_pseudonyms values (?, ?)", list(pairs.items()))
        for (schema, table), columns in CARRIED_TABLES.items():
            (present,) = con.execute(
                "select count(*) from duckdb_tables() where database_name = 'previous' "
                "and schema_name = ? and table_name = ?",
                [schema, table],
            ).fetchone()
            if not present:
                continue
            source = f'previous."{schema}"."{table}"'
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'create table "{schema}"."{table}" as select * from {source} limit 0')
            joins = " ".join(
                f'inner join rekeyed_pseudonyms as k{i} on old_rows."{c}" = k{i}.old'
                for i, c in enumerate(columns)
            )
            replaced = ", ".join(f'k{i}.new as "{c}"' for i, c in enumerate(columns))
            (count,) = con.execute(
                f'insert into "{schema}"."{table}" select old_rows.* replace ({replaced}) '
                f"from {source} as old_rows {joins}"
            ).fetchone()
            copied[f"{schema}.{table}"] = count
        con.execute("drop table rekeyed_pseudonyms")
    finally:
        con.execute("detach previous")
    return copied


def _with_full_refresh(config: Config) -> Config:
    """Every API source pulled in full (its cursors name the old warehouse's rows)."""
    sources = tuple(replace(s, full_refresh=s.api is not None) for s in config.sources)
    return replace(config, sources=sources)


def _aside(path: Path) -> Path:
    return path.with_name(f"{path.name}.pre-rotation")


def rotate_salt(
    config: Config,
    old_salt: bytes,
    new_salt: bytes,
    drop_unmatched: bool = False,
    actor: str | None = None,
) -> dict[str, Any]:
    """Re-pseudonymize the warehouse under `new_salt` (see module doc).

    Returns {"erasures_carried", "erasures_dropped", "audit_entries_resigned"}.
    """
    from outcomes.privacy.rights import finish_erasures
    from pipelines.common.load import pipelines_dir

    warehouse = config.warehouse
    if not warehouse.exists():
        raise OutcomesError(f"no warehouse at {warehouse}: nothing to rotate")
    if len(new_salt) < MIN_SALT_CHARS:
        raise OutcomesError(
            f"the new salt is too short ({len(new_salt)} characters); use at least "
            f"{MIN_SALT_CHARS} random characters"
        )
    if salt_fingerprint(new_salt) == salt_fingerprint(old_salt):
        raise OutcomesError("the new salt is the current one: nothing to rotate")
    if not config.sources:
        raise OutcomesError(
            "no sources configured: a rotation reloads every source from its exports or API "
            "(give the outcomes.yml the warehouse was loaded with)"
        )
    check_salt(warehouse, old_salt)
    finish_erasures(warehouse, old_salt, actor, rebuild=False)
    log = audit_log_for(warehouse, old_salt)
    problems = log.check().problems
    if problems:
        raise OutcomesError(
            f"the audit log does not verify ({problems[0]}): a rotation would re-sign it; "
            "run `outcomes privacy verify-audit` and resolve that first"
        )

    tokens = read_erasure_tokens(warehouse)
    pairs = pseudonym_pairs(config, old_salt, new_salt)
    carried: set[str] = set()
    matched: set[str] = set()
    for old, new in pairs.items():
        token = erasure_token(old, old_salt)
        if token in tokens:
            matched.add(token)
            carried.add(new)
    unmatched = len(tokens) - len(matched)
    if unmatched and not drop_unmatched:
        raise OutcomesError(
            f"{unmatched} of the erasure list's {len(tokens)} tokens match no record in the "
            "configured exports, so they cannot be carried to the new salt (a later export "
            "naming those people would bring them back). Configure every source the warehouse "
            "was loaded from, or accept that with --drop-unmatched-erasures"
        )

    log.append(
        "privacy.salt_rotation_started",
        {"erasures": len(tokens), "erasures_carried": len(matched), "dropped": unmatched},
        actor=actor,
    )
    state = pipelines_dir(warehouse)
    saved_log = log.path.read_bytes() if log.path.exists() else None
    saved_head = log.head_path.read_bytes() if log.head_path.exists() else None
    moved = [(warehouse, _aside(warehouse)), (state, _aside(state))]
    for _path, aside in moved:
        if aside.exists():
            raise OutcomesError(f"{aside} exists: an earlier rotation did not finish; look at it")
    for path, aside in moved:
        if path.exists():
            path.rename(aside)
    try:
        from outcomes.privacy.retention import apply_retention
        from outcomes.runner import run
        from outcomes.warehouse import connect, ensure_warehouse

        ensure_warehouse(warehouse)
        con = connect(warehouse, read_only=False)
        try:
            con.execute("begin transaction")
            write_fingerprint(con, new_salt)
            record_erasures(con, carried, new_salt)
            # The nudge opt-ins and delivery log are no export's: carried, re-keyed.
            carry_nudges(_aside(warehouse), con, pairs)
            con.execute("commit")
            carry_history(con, _aside(warehouse), pairs)
        finally:
            con.close()
        resigned = rekey(log, audit_key(old_salt), audit_key(new_salt))
        # API sources: a full pull from start_date. Their cursors went aside with
        # the old state; this pull's cursors are published with the new warehouse.
        run(_with_full_refresh(config), new_salt)
        expired = apply_retention(
            warehouse, dt.datetime.now(dt.UTC), actor, rebuild=False, salt=new_salt
        )
        if sum(expired.values()):
            from outcomes.build import build

            build(warehouse, config.min_group_size)
    except BaseException as exc:
        # Put everything back: the warehouse, its dlt state, the old audit log.
        register_key(log.path, old_salt)
        for path, aside in moved:
            if path.exists():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            if aside.exists():
                aside.rename(path)
        if saved_log is not None:
            log.path.write_bytes(saved_log)
        if saved_head is not None:
            log.head_path.write_bytes(saved_head)
        if isinstance(exc, OutcomesError):
            raise OutcomesError(
                f"the salt rotation failed and was undone (the warehouse is as before, under "
                f"the current salt): {exc}"
            ) from exc
        raise
    for _path, aside in moved:
        if aside.exists():
            shutil.rmtree(aside) if aside.is_dir() else aside.unlink()
    audit_log_for(warehouse, new_salt).append(
        "privacy.salt_rotated",
        {
            "fingerprint": salt_fingerprint(new_salt),
            "erasures_carried": len(carried),
            "erasures_dropped": unmatched,
            "audit_entries_resigned": resigned,
        },
        actor=actor,
    )
    return {
        "erasures_carried": len(matched),
        "erasures_dropped": unmatched,
        "audit_entries_resigned": resigned,
    }
