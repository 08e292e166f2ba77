"""The nudges' state under the privacy commands (docs/nudges.md#privacy).

Export finds `nudges.delivery_log` and `privacy.nudge_opt_ins` like every
model table (their `*person_id` / `person_key` columns); erase deletes their
rows (outcomes.privacy.rights); a salt rotation carries them to the new
warehouse with each pseudonym re-keyed (`carry_over`), dropping the rows of
anyone the exports no longer hold.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from outcomes.nudges.store import LOG_TABLE, OPT_IN_TABLE, ensure_tables

ERASABLE = (("nudges", "delivery_log"), ("privacy", "nudge_opt_ins"))


def carry_over(old_warehouse: Path, con: duckdb.DuckDBPyConnection, pairs: dict[str, str]) -> int:
    """Copy the opt-ins and the delivery log of `old_warehouse` into `con`
    (the new warehouse, in the caller's transaction), old pseudonyms mapped
    to new by `pairs`. Returns the rows carried."""
    if not old_warehouse.exists():
        return 0
    old = duckdb.connect(str(old_warehouse), read_only=True)
    try:
        tables = {
            f"{s}.{t}"
            for s, t in old.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        opt_ins = (
            old.execute(f"select * from {OPT_IN_TABLE}").fetchall()
            if (OPT_IN_TABLE in tables)
            else []
        )
        log = old.execute(f"select * from {LOG_TABLE}").fetchall() if LOG_TABLE in tables else []
        log_columns = (
            [d[0] for d in old.execute(f"select * from {LOG_TABLE} limit 0").description]
            if LOG_TABLE in tables
            else []
        )
    finally:
        old.close()
    ensure_tables(con)
    carried = 0
    for person_key, opted_in_at in opt_ins:
        if person_key in pairs:
            con.execute(
                f"insert into {OPT_IN_TABLE} values (?, ?)", [pairs[person_key], opted_in_at]
            )
            carried += 1
    if log:
        at = log_columns.index("recipient_person_id")
        for row in log:
            values = list(row)
            if values[at] is not None:
                if values[at] not in pairs:
                    continue
                values[at] = pairs[values[at]]
            con.execute(
                f"insert into {LOG_TABLE} ({', '.join(log_columns)}) "
                f"values ({', '.join(['?'] * len(values))})",
                values,
            )
            carried += 1
    return carried
