"""What every run does to the warehouse before it loads anything.

Both ways of running call these hooks at the same points: `outcomes.runner.run`
(the CLI) calls `before_load` once, after the warehouse file exists and before
the first source is read; a Dagster run, whose loads are separate steps, calls
`before_load_once` at the start of each step that writes pseudonyms (the load
assets, the opt-out list), which runs `before_load` in the first of them only.
`after_build` follows a build of every model with no source held back (the
runner's build; a Dagster dbt step that selected every model).

`before_load`:

1. The salt check (`outcomes.privacy.salt.check_salt`): a run under another
   salt than the warehouse's is refused, before any row is written.
2. Leftover identity candidates: a run killed during the roster's gate
   leaves `candidate_identity` (and dlt's `_staging` beside it), which holds
   emails and which nothing reads; they are dropped. (Raw candidates are
   pseudonymized and kept for inspection until their source loads again;
   export and erase reach both kinds, `outcomes.privacy.people`.)
3. Interrupted erasures (`outcomes.privacy.rights.finish_erasures`): an
   erase killed after it was recorded is carried out (deletes, audit
   entries) before anything loads; `after_build` marks it complete once the
   run's build has rebuilt every model without the person.
"""

from __future__ import annotations

from pathlib import Path

from outcomes.privacy.people import CANDIDATE_PREFIX, identity_schemas
from outcomes.privacy.rights import finish_erasures, mark_erasures_built
from outcomes.privacy.salt import check_salt


def leftover_identity_candidates(con) -> list[str]:
    rows = con.execute("select schema_name from information_schema.schemata").fetchall()
    return sorted(s for (s,) in rows if identity_schemas(s) and s.startswith(CANDIDATE_PREFIX))


def drop_identity_candidates(warehouse: Path) -> list[str]:
    """Drop the identity candidates a killed run left; return their names."""
    from outcomes.warehouse import connect

    con = connect(warehouse, read_only=False)
    try:
        dropped = leftover_identity_candidates(con)
        for schema in dropped:
            con.execute(f'drop schema if exists "{schema}" cascade')
        return dropped
    finally:
        con.close()


def before_load(warehouse: Path, salt: bytes) -> None:
    """Refuse a foreign salt, then clear what a killed run left; raises OutcomesError."""
    check_salt(warehouse, salt)
    drop_identity_candidates(warehouse)
    finish_erasures(warehouse, salt, rebuild=False)


# (run id, warehouse) of the orchestrated runs whose `before_load` has run here.
_STARTED: set[tuple[str, str]] = set()


def before_load_once(run_id: str, warehouse: Path, salt: bytes) -> bool:
    """`before_load` for a run whose loads are separate steps (Dagster's): the
    first step of run `run_id` carries it out, the later ones find it done.
    Returns whether this call ran it. A refusal is raised by every step."""
    key = (run_id, str(warehouse.resolve()))
    if key in _STARTED:
        return False
    before_load(warehouse, salt)
    _STARTED.add(key)
    return True


def after_build(warehouse: Path, salt: bytes | None = None) -> None:
    """After a build of every model: interrupted erasures carried out are complete.

    The audit entries are keyed by `salt`, else by the salt this process checked."""
    mark_erasures_built(warehouse, salt=salt)
