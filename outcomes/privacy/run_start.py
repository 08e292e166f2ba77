"""What every run does to the warehouse before it loads anything.

`outcomes.runner.run` calls `before_load` once, after the warehouse file
exists and before the first source is read:

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


def after_build(warehouse: Path) -> None:
    """After a build of every model: interrupted erasures carried out are complete."""
    mark_erasures_built(warehouse)
