"""The whole graph, materialized in-process on a small demo, then a broken
batch that the quality gate stops before the marts are rebuilt."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

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
    assert {SUITE_CHECK, ROW_COUNT_CHECK, "reconciles_with_raw"} <= names
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
    """A collapsed GitHub export with an unknown PR state: the blocking checks
    fail, the dbt models are not rebuilt, the marts stay as they were."""
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
    kept = [line.replace('"state":"closed"', '"state":"reopened_by_bot"') for line in lines]
    prs.write_text("\n".join(kept[: len(kept) // 4]) + "\n")  # a collapsed export

    before = {m: _mart_fingerprint(root / "outcomes.duckdb", m) for m in MARTS}
    defs = build_definitions(settings_for(root))
    github = dg.AssetSelection.assets(
        *[k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[0] == "raw_github"]
    )
    job = defs.get_implicit_global_asset_job_def().get_subset(
        asset_selection=github.downstream().resolve(defs.resolve_asset_graph())
    )
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)

    assert not result.success
    failed = {(c.asset_key.to_user_string(), c.check_name) for c in _checks(result) if not c.passed}
    assert ("raw_github/pull_requests", SUITE_CHECK) in failed
    assert ("raw_github/pull_requests", ROW_COUNT_CHECK) in failed
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    assert failure.step_key == "load_github"
    assert "raw_github/pull_requests" in failure.event_specific_data.error.message
    rebuilt = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
    assert rebuilt <= {"raw_github"}, "no dbt model may be rebuilt"
    after = {m: _mart_fingerprint(root / "outcomes.duckdb", m) for m in MARTS}
    assert after == before
    # the collapsed count did not become the baseline
    assert _query(
        root / "outcomes.duckdb",
        "select passed from quality.row_counts where dataset = 'raw_github' "
        "and table_name = 'pull_requests' order by loaded_at desc limit 1",
    ) == [(False,)]
