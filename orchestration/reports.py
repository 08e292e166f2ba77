"""The report site's data: the marts the Evidence pages read, as CSV.

Evidence cannot read parquet offline (docs/stack-notes.md), so the site reads CSV
files from `reports/static/data/`. The export itself is
`outcomes.reports.export_csv` (owned with the site: aggregated, team-level,
no row about a person); this asset only runs it after the marts it reads are
rebuilt. The site build (`npm run build`) stays a separate step.
"""

import dagster as dg

from orchestration.dbt import outcomes_dbt_models
from orchestration.settings import OutcomesSettings

# The relations outcomes.reports.export_csv reads (besides raw freshness and
# quarantine counts, which every load refreshes).
REPORT_INPUTS = ("fct_team_kpis_weekly", "dim_teams", "fct_recurring_meeting_series", "kpi_catalog")
REPORT_DATA_KEY = dg.AssetKey(["reports", "static_data"])


def _dbt_key(name: str) -> dg.AssetKey:
    return next(k for k in outcomes_dbt_models.keys if k.path[-1] == name)


@dg.asset(
    key=REPORT_DATA_KEY,
    group_name="reports",
    kinds={"csv"},
    deps=[_dbt_key(name) for name in REPORT_INPUTS],
    description="CSV files of the marts the report site reads "
    "(<reports>/static/data/*.csv, from outcomes.reports.export_csv).",
)
def report_data(outcomes: OutcomesSettings) -> dg.MaterializeResult:
    from outcomes.reports import export_csv

    result = export_csv(outcomes.resolve().config.warehouse, outcomes.reports_path())
    return dg.MaterializeResult(
        metadata={
            "folder": str(result.folder),
            "seconds": round(result.seconds, 2),
            **{f"rows_{name}": rows for name, rows in result.rows.items()},
        }
    )
