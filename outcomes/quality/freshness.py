"""Freshness of each source: how long ago its last published load was.

Read from the warehouse, not from run history: every published row carries
the `_outcomes_loaded_at` stamp of the load that wrote it, and
`quality.row_counts` marks each load that passed its gate (so a published
load of an empty export counts too). A load whose gate failed publishes
nothing, so a source that keeps failing its gate grows stale here even
though its loads keep running.

Thresholds as the report's freshness page reads them: a source is fresh up to
one day after its last load, `warn` after that, `error` after two days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from outcomes.quality.row_counts import SCHEMA as COUNTS_SCHEMA
from outcomes.quality.row_counts import TABLE as COUNTS_TABLE
from outcomes.warehouse import connect
from pipelines.common.policy import LOADED_AT_COLUMN, SourcePolicy

WARN_AFTER = dt.timedelta(days=1)
ERROR_AFTER = dt.timedelta(days=2)


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    last_loaded_at: dt.datetime | None  # None: never loaded (no row anywhere)
    now: dt.datetime

    @property
    def age(self) -> dt.timedelta | None:
        return None if self.last_loaded_at is None else self.now - self.last_loaded_at

    @property
    def status(self) -> str:
        """`fresh`, `warn` (older than WARN_AFTER) or `error` (older than ERROR_AFTER)."""
        age = self.age
        if age is None or age > ERROR_AFTER:
            return "error"
        return "warn" if age > WARN_AFTER else "fresh"

    def describe(self) -> str:
        if self.last_loaded_at is None:
            return f"{self.source}: no published rows: never loaded"
        hours = self.age.total_seconds() / 3600
        return (
            f"{self.source}: last published load at {self.last_loaded_at:%Y-%m-%d %H:%M} UTC, "
            f"{hours:.1f} h ago: {self.status}"
        )


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def source_freshness(
    warehouse: Path, policy: SourcePolicy, now: dt.datetime | None = None
) -> SourceFreshness:
    """The source's last published load: the newest `_outcomes_loaded_at` of its raw tables."""
    now = _naive_utc(now or dt.datetime.now(dt.UTC))
    con = connect(warehouse)
    try:
        present = {
            (s, t)
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.columns "
                "where column_name in (?, 'loaded_at')",
                [LOADED_AT_COLUMN],
            ).fetchall()
        }
        stamps = []
        datasets = sorted({policy.dataset_for(t) for t in policy.tables})
        if (COUNTS_SCHEMA, COUNTS_TABLE) in present:
            marks = ", ".join("?" for _ in datasets)
            (latest,) = con.execute(
                f"select max(loaded_at) from {COUNTS_SCHEMA}.{COUNTS_TABLE} "
                f"where passed and dataset in ({marks})",
                datasets,
            ).fetchone()
            if latest is not None:
                stamps.append(latest)
        for table in policy.tables:
            where = (policy.dataset_for(table), table.name)
            if where in present:
                (latest,) = con.execute(
                    f'select max("{LOADED_AT_COLUMN}") from "{where[0]}"."{where[1]}"'
                ).fetchone()
                if latest is not None:
                    stamps.append(latest)
    finally:
        con.close()
    return SourceFreshness(policy.source, max(stamps) if stamps else None, now)
