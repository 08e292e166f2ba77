"""The report site's data: the `rpt_*` models the Evidence pages read, as CSV.

Evidence cannot read parquet offline (docs/stack-notes.md), so the site reads CSV
files from `reports/static/data/`. What they hold is computed by the dbt
models of `models/reports/` (aggregation and suppression included); the
export, `outcomes.reports.export_csv`, only copies each model to its CSV.
This asset depends on exactly those models, read from the dbt manifest the
dbt assets are built from (a new `rpt_*` model is a new dependency, with no
list to keep), so it runs after they are rebuilt. The site build
(`npm run build`) stays a separate step.
"""

import json

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.dbt import DBT_PROJECT, outcomes_dbt_models
from orchestration.settings import OutcomesSettings
from outcomes.reports import site_tables

REPORT_DATA_KEY = dg.AssetKey(["reports", "static_data"])


def report_model_keys() -> list[dg.AssetKey]:
    """The dagster-dbt asset keys of the models the site reads (models/reports/rpt_*)."""
    tables = site_tables(json.loads(DBT_PROJECT.manifest_path.read_text()))
    return [get_asset_key_for_model([outcomes_dbt_models], table.model) for table in tables]


@dg.asset(
    key=REPORT_DATA_KEY,
    group_name="reports",
    kinds={"csv"},
    deps=report_model_keys(),
    description="CSV files of the rpt_* models the report site reads "
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


DIGEST_KEY = dg.AssetKey(["reports", "weekly_digest"])
DIGEST_MODELS = ("rpt_digest_teams", "rpt_digest_lines")


@dg.asset(
    key=DIGEST_KEY,
    group_name="reports",
    kinds={"markdown", "html"},
    deps=[get_asset_key_for_model([outcomes_dbt_models], model) for model in DIGEST_MODELS],
    description="The executive weekly digest of the latest week as Markdown and HTML, "
    "ready to paste into an email (<warehouse>_digest, .md and .html, beside the warehouse; "
    "outcomes.digest.write_digest, docs/narrative.md#digest).",
)
def weekly_digest(outcomes: OutcomesSettings) -> dg.MaterializeResult:
    from outcomes.digest import write_digest

    files = write_digest(outcomes.resolve().config.warehouse)
    if files is None:
        return dg.MaterializeResult(metadata={"written": False})
    return dg.MaterializeResult(
        metadata={
            "written": True,
            "week_start": files.week_start.isoformat(),
            "markdown": str(files.markdown),
            "html": str(files.html),
        }
    )
