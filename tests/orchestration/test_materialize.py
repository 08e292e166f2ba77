"""The whole graph, materialized in-process on a small demo, then a broken
GitHub batch: the quality gate keeps it out of raw, the models downstream of
GitHub are not rebuilt (their marts keep their last good state), the models
of the other sources are, and the run fails naming what failed."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from orchestration.checks import FRESHNESS_CHECK
from orchestration.loads import ROW_COUNT_CHECK, SUITE_CHECK
from tests.orchestration.conftest import Materialized, settings_for

MARTS = ("fct_work_events", "fct_team_kpis_weekly", "fct_pull_requests", "dim_teams")


def _query(warehouse, sql: str):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _checks(result: dg.ExecuteInProcessResult) -> list:
    return [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]


def _mart_fingerprint(warehouse, mart: str) -> tuple:
    return _query(
        warehouse,
        f"select count(*), coalesce(sum(hash(t)), 0) from marts.{mart} as t",
    )[0]


def test_whole_graph_materializes(materialized: Materialized):
    result = materialized.result
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    for mart in MARTS:
        assert _query(materialized.warehouse, f"select count(*) from marts.{mart}")[0][0] > 0
    checks = _checks(result)
    # dbt tests configured `severity: warn` may warn; nothing may fail
    failed = [
        f"{c.asset_key.to_user_string()}:{c.check_name}"
        for c in checks
        if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert failed == []
    names = {c.check_name for c in checks}
    assert {SUITE_CHECK, ROW_COUNT_CHECK, FRESHNESS_CHECK, "reconciles_with_raw"} <= names
    reconciled = next(c for c in checks if c.check_name == "reconciles_with_raw")
    # 31 event types, plus ServiceNow's case.created, status_changed, solved, reopened
    assert reconciled.passed and reconciled.metadata["reconciled_types"].value == 35
    fresh = {c.asset_key.to_user_string() for c in checks if c.check_name == FRESHNESS_CHECK}
    assert "raw_calendar/events" in fresh and "identity/people_identity" in fresh
    # no candidate schema is left behind by a published load
    assert (
        _query(
            materialized.warehouse,
            "select schema_name from information_schema.schemata where schema_name like 'candidate%'",
        )
        == []
    )
    # every raw table of a loaded source got both quality checks
    gx = {c.asset_key.to_user_string() for c in checks if c.check_name == SUITE_CHECK}
    assert "raw_github/pull_requests" in gx and "identity/people_identity" in gx
    # dbt tests ran as asset checks too
    assert sum(1 for c in checks if c.check_name.startswith("unique_")) > 10
    # the report data export
    csv = materialized.report_dir / "team_kpis_weekly.csv"
    assert csv.exists() and len(csv.read_text().splitlines()) > 1
    # the row-count baseline was recorded for the next load
    assert _query(
        materialized.warehouse,
        "select rows_read, passed from quality.row_counts "
        "where dataset = 'raw_github' and table_name = 'pull_requests'",
    ) == [
        (
            _query(materialized.warehouse, "select count(*) from raw_github.pull_requests")[0][0],
            True,
        )
    ]


def test_broken_batch_keeps_last_good_marts(materialized: Materialized, tmp_path):
    """A collapsed GitHub export that lost a field (`merged_at` renamed), through
    the whole graph: the gate checks fail, raw_github is untouched, no model
    downstream of GitHub is rebuilt and those marts stay as they were; every
    other model is rebuilt."""
    from orchestration.definitions import build_definitions

    assert materialized.result.success
    root = tmp_path / "broken"
    root.mkdir()
    shutil.copy(materialized.warehouse, root / "outcomes.duckdb")
    shutil.copytree(materialized.root / ".dlt_outcomes", root / ".dlt_outcomes")
    shutil.copy(materialized.root / "outcomes.salt", root / "outcomes.salt")
    exports = root / "outcomes_demo_exports"
    shutil.copytree(materialized.root / "outcomes_demo_exports", exports)
    prs = exports / "github" / "pull_requests.jsonl"
    lines = prs.read_text().splitlines()
    assert '"merged_at":' in lines[0]
    kept = [line.replace('"merged_at":', '"merged_at_v2":') for line in lines]
    prs.write_text("\n".join(kept[: len(kept) // 4]) + "\n")  # a collapsed export

    warehouse = root / "outcomes.duckdb"
    before = {m: _mart_fingerprint(warehouse, m) for m in MARTS}
    raw_before = _query(warehouse, "select count(*), sum(hash(t)) from raw_github.pull_requests t")
    defs = build_definitions(settings_for(root))
    graph = defs.resolve_asset_graph()
    github = dg.AssetSelection.assets(
        *[k for k in graph.get_all_asset_keys() if k.path[0] == "raw_github"]
    )
    downstream = github.downstream().resolve(graph) - github.resolve(graph)
    result = defs.get_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )

    assert not result.success
    failed = {(c.asset_key.to_user_string(), c.check_name) for c in _checks(result) if not c.passed}
    assert ("raw_github/pull_requests", SUITE_CHECK) in failed
    assert ("raw_github/pull_requests", ROW_COUNT_CHECK) in failed
    assert {source for source, _ in failed} == {"raw_github/pull_requests"}
    # the run fails at the dbt step, saying what failed and where
    failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert [e.step_key for e in failures] == ["outcomes_dbt_models"]
    message = failures[0].event_specific_data.error.message
    assert "models downstream of source:raw_github+ were not rebuilt" in message
    assert "raw_github/pull_requests [gx_suite]" in message
    assert "schema loss on merged_at" in message
    # raw is untouched; the load reported its tables as not published
    assert (
        _query(warehouse, "select count(*), sum(hash(t)) from raw_github.pull_requests t")
        == raw_before
    )
    github_loads = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[0] == "raw_github"
    ]
    assert github_loads and all(m.metadata["published"].value is False for m in github_loads)
    # nothing downstream of GitHub was rebuilt and its marts are intact ...
    rebuilt = {e.asset_key for e in result.get_asset_materialization_events()}
    # (The quarantine is written by every load, the refused one included: its
    # asset and the models over it are rebuilt and hold GitHub's bad records.)
    quarantine = {
        dg.AssetKey(["quarantine", "records"]),
        _dbt_key(defs, "stg_quarantine__records"),
        _dbt_key(defs, "rpt_quarantine_by_reason"),
    }
    assert rebuilt & (downstream - quarantine) == set()
    after = {m: _mart_fingerprint(warehouse, m) for m in MARTS}
    assert after == before
    # ... while the models of the other sources were rebuilt
    dbt_keys = set(defs.get_assets_def(_dbt_key(defs, "stg_jira__issues")).keys)
    others = dbt_keys - downstream
    assert _dbt_key(defs, "stg_jira__issues") in others
    # (Models that read people's rows through consented() depend on every
    # source's accounts, int_accounts_mapped, so they wait for GitHub too; the
    # roster's marts do not.)
    assert _dbt_key(defs, "dim_teams") in others
    assert _dbt_key(defs, "fct_recurring_meeting_series") in downstream
    assert others <= rebuilt
    # the collapsed count did not become the baseline
    assert _query(
        warehouse,
        "select passed from quality.row_counts where dataset = 'raw_github' "
        "and table_name = 'pull_requests' order by loaded_at desc limit 1",
    ) == [(False,)]


def _dbt_key(defs: dg.Definitions, model: str) -> dg.AssetKey:
    return next(k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[-1] == model)
