"""The engineering page's exports: team-level, suppressed below k people, honest
about git-only data; and the transparency page generated from the policies."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from outcomes.build import target_path_for
from outcomes.cli import main
from outcomes.privacy.transparency import render_transparency
from outcomes.reports import REPORTS_DIR, export_csv, transparency_partial
from tests.git.test_run_git_cli import build_service

K = 5
ENG_EXPORTS = (
    "eng_pr_flow_weekly",
    "eng_pr_size",
    "eng_dora",
    "eng_dora_next",
    "eng_deploy_failures",
    "eng_sources",
)
DELIVERY_PAGE = REPORTS_DIR / "pages" / "functions" / "engineering" / "delivery.md"
GIT_ONLY_TEXT = "From git alone there is no PR-opened time or review data"


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def exported(demo_warehouse, tmp_path_factory) -> Path:
    reports_dir = tmp_path_factory.mktemp("site")
    export_csv(demo_warehouse.path, reports_dir)
    return reports_dir


def test_engineering_exports_hold_no_person_or_pull_request(exported):
    data = exported / "static" / "data"
    for name in ENG_EXPORTS:
        header = (data / f"{name}.csv").read_text().splitlines()[0].split(",")
        for column in header:
            assert not any(word in column for word in ("person", "author", "email")), name
            # Keys of single PRs, deployments or incidents never leave the warehouse.
            assert column == "team_id" or not column.endswith("_id"), (name, column)


def test_every_engineering_cell_below_k_people_is_suppressed(exported):
    data = exported / "static" / "data"
    flow = read(data, "eng_pr_flow_weekly")
    sizes = read(data, "eng_pr_size")
    assert flow and sizes
    for row in flow + sizes:
        assert (row["is_suppressed"] == "true") == (int(row["contributor_count"]) < K), row
        if row["is_suppressed"] == "true":
            values = [v for c, v in row.items() if c.endswith("_hours") or c == "pr_count"]
            assert all(v == "" for v in values), row
    # The demo has small size buckets (a few people's XL PRs) that must stay hidden.
    assert any(row["is_suppressed"] == "true" for row in sizes)
    # Differencing: a team with a suppressed size shows no PR count for any size.
    for team in {row["team_id"] for row in sizes}:
        rows = [row for row in sizes if row["team_id"] == team]
        if any(row["is_suppressed"] == "true" for row in rows):
            assert all(row["pr_count"] == "" for row in rows), team
    for name in ("eng_dora", "eng_dora_next", "eng_deploy_failures"):
        for row in read(data, name):
            if row["is_suppressed"] == "true":
                hidden = [
                    v
                    for c, v in row.items()
                    if c.endswith(("_hours", "_rate", "_level", "_p50"))
                    or c in {"deployments", "failed_deployment_count", "next_level"}
                ]
                assert all(v == "" for v in hidden), (name, row)


def test_pr_flow_weeks_are_the_mart_medians(exported, demo_warehouse):
    """One team-week recomputed from fct_pull_requests (interpolated medians)."""
    data = exported / "static" / "data"
    row = next(r for r in read(data, "eng_pr_flow_weekly") if r["is_suppressed"] == "false")
    ((count, p50, pickup),) = demo_warehouse.query(
        "select count(*), quantile_cont(cycle_time_hours, 0.5), "
        "quantile_cont(pickup_time_hours, 0.5) from marts.fct_pull_requests "
        "where team_id = ? and author_type = 'person' "
        "and cast(date_trunc('week', merged_at) as date) = ?",
        [row["team_id"], row["week_start"]],
    )
    assert int(row["pr_count"]) == count
    assert float(row["cycle_time_p50_hours"]) == pytest.approx(p50)
    assert float(row["pickup_time_p50_hours"]) == pytest.approx(pickup)
    for r in read(data, "eng_pr_flow_weekly"):
        if r["cycle_time_p50_hours"]:
            assert float(r["cycle_time_p50_hours"]) <= float(r["cycle_time_p85_hours"])


def test_next_dora_level_is_the_seed_cut_off(exported):
    rows = {
        (r["team_id"], r["metric"]): r
        for r in read(exported / "static" / "data", "eng_dora_next")
        if r["is_suppressed"] == "false"
    }
    assert rows
    order = ["elite", "high", "medium", "low"]
    for row in rows.values():
        level = row["performance_level"]
        if level in ("high", "medium", "low"):
            assert row["next_level"] == order[order.index(level) - 1], row
            assert row["what_would_move_it"].startswith(f"{row['next_level']} needs "), row
        elif level == "elite":
            assert row["next_level"] == ""
    # Hand-checked cut-offs of the seed (2023 State of DevOps, as DevLake applies them).
    texts = {r["metric"]: r["what_would_move_it"] for r in rows.values() if r["next_level"]}
    if "lead_time_for_changes" in texts and "high needs" not in texts["lead_time_for_changes"]:
        assert "under 24 h" in texts["lead_time_for_changes"]
    assert any("at most 15% of deployments" in t for t in texts.values()) or not texts


def test_demo_engineering_is_backed_by_github(exported):
    sources = read(exported / "static" / "data", "eng_sources")
    assert sources[0]["scope"] == "all"
    assert sources[0]["source_systems"] == "github"
    assert sources[0]["is_git_only"] == "false"
    assert sources[0]["has_review_data"] == "true"


# Its build runs the models only: tests/git/test_run_git_cli.py runs dbt's
# tests on a git-only warehouse.
@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")
def test_git_only_warehouse_says_there_is_no_review_data(tmp_path, monkeypatch):
    """A warehouse loaded from git alone: the export says so, and holds no
    pickup/review figure at all (never a zero), which the page turns into the
    sentence instead of charts."""
    repo = build_service(tmp_path / "svc")
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("OUTCOMES_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", "git-cli-test-salt-0123456789")
    result = CliRunner().invoke(
        main, ["run", "--git", str(repo.path), "--config", str(tmp_path / "absent.yml")]
    )
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    export_csv(warehouse, site)
    data = site / "static" / "data"
    (everything,) = [r for r in read(data, "eng_sources") if r["scope"] == "all"]
    assert everything["source_systems"] == "git"
    assert everything["is_git_only"] == "true"
    assert everything["has_review_data"] == "false"
    for row in read(data, "eng_pr_flow_weekly"):
        assert row["pickup_time_p50_hours"] == "" and row["review_time_p50_hours"] == ""
    page = DELIVERY_PAGE.read_text()
    # The page shows the sentence whenever the export says git alone backs the figures.
    assert "{#if sources_all[0].is_git_only}" in page
    assert "{#if team_sources[0]?.is_git_only}" in page
    assert page.count(GIT_ONLY_TEXT) >= 2


def test_transparency_page_is_generated_from_the_policies(demo_warehouse, exported):
    manifest = json.loads((target_path_for(demo_warehouse.path) / "manifest.json").read_text())
    partial = (exported / "partials" / "transparency.md").read_text()
    assert partial == transparency_partial(manifest)
    rendered = render_transparency(manifest)
    # Same content, title moved to the page: every source and published table is there.
    for line in rendered.splitlines()[1:]:
        if line.startswith(("### ", "| `")):
            assert line in partial, line
    page = (REPORTS_DIR / "pages" / "transparency.md").read_text()
    assert '{@partial "transparency.md"}' in page


def test_transparency_partial_escapes_svelte_markup_outside_code():
    manifest = {
        "nodes": {
            "model.outcomes.fct_x": {
                "resource_type": "model",
                "schema": "marts",
                "name": "fct_x",
                "config": {"meta": {"purpose": "flow {team} <b>", "owner": "data-team"}},
            }
        }
    }
    partial = transparency_partial(manifest)
    assert "| `fct_x` | flow &#123;team&#125; &lt;b> | data-team |" in partial
    assert "`pipelines/<source>/policy.yml`" in partial  # code spans stay as written
    assert not partial.startswith("# ")
