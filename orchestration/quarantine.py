"""quarantine.records as an asset: the records every load sets aside.

The loads write it (pipelines/common/load.py) while they land their source,
so no single load asset can own its key; dbt reads it as the source
`quarantine.records` (stg_quarantine__records -> rpt_quarantine_by_reason,
the quality page). This asset gives that source key a producer in the graph:
it follows every load and, when materialized, reports what is set aside per
source (counts only, never a record), so lineage runs from the loads through
the quarantine to the report.
"""

import dagster as dg

from orchestration.loads import LOAD_ASSETS
from orchestration.settings import OutcomesSettings

QUARANTINE_KEY = dg.AssetKey(["quarantine", "records"])


@dg.asset(
    key=QUARANTINE_KEY,
    group_name="raw",
    kinds={"duckdb"},
    deps=[key for load in LOAD_ASSETS for key in load.keys],
    description="quarantine.records: records the loads set aside (written by the loads; "
    "this asset counts them per source).",
)
def quarantine_records(outcomes: OutcomesSettings) -> dg.MaterializeResult:
    from outcomes.warehouse import connect

    con = connect(outcomes.resolve().config.warehouse)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'quarantine' and table_name = 'records'"
        ).fetchone()[0]
        counts = (
            con.execute(
                "select source_system, count(*) from quarantine.records group by 1 order by 1"
            ).fetchall()
            if exists
            else []
        )
    finally:
        con.close()
    return dg.MaterializeResult(
        metadata={"records": sum(n for _, n in counts), **{f"records_{s}": n for s, n in counts}}
    )
