"""The rpt_* models (models/reports/) are what the site reads: the export copies
exactly them, the Dagster report asset depends on exactly them, the freshness
model covers every raw table, and a warehouse loaded from git alone still
builds a site that shows what git can show (deploys per week, lead time)."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from outcomes.build import target_path_for
from outcomes.cli import main
from outcomes.errors import OutcomesError
from outcomes.reports import REPORTS_DIR, build_site, export_csv, site_tables
from tests.git.conftest import ADA, BOB, CAROL, DAN, EVE, FRANK, GITHUB, init_repo


def manifest_of(warehouse: Path) -> dict:
    return json.loads((target_path_for(warehouse) / "manifest.json").read_text())


def test_the_export_is_exactly_the_report_models(demo_warehouse, tmp_path):
    manifest = manifest_of(demo_warehouse.path)
    report_models = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/reports/")
    }
    tables = site_tables(manifest)
    assert {t.model for t in tables} == report_models
    assert all(t.model.startswith("rpt_") and t.schema == "reports" for t in tables)
    result = export_csv(demo_warehouse.path, tmp_path)
    assert set(result.rows) == {t.name for t in tables}
    for table in tables:
        (rows,) = demo_warehouse.query(f"select count(*) from reports.{table.model}")
        assert result.rows[table.name] == rows[0], table.name


def test_freshness_reads_every_raw_table(demo_warehouse):
    """rpt_source_freshness names its staging models by hand (dbt's graph is empty
    at parse time): every raw table with a load time must be among them."""
    manifest = manifest_of(demo_warehouse.path)
    raw = {
        uid
        for uid, source in manifest["sources"].items()
        if source.get("loaded_at_field") == "_outcomes_loaded_at"
    }
    freshness = manifest["nodes"]["model.outcomes.rpt_source_freshness"]
    read = {
        dep
        for model in freshness["depends_on"]["nodes"]
        for dep in manifest["nodes"][model]["depends_on"]["nodes"]
        if dep.startswith("source.")
    }
    assert raw and read == raw
    rows = dict(
        demo_warehouse.query("select source_system, rows_loaded from reports.rpt_source_freshness")
    )
    (github,) = demo_warehouse.query("select count(*) from raw_github.pull_requests")
    assert rows["github"] >= github[0] > 0


def test_report_asset_depends_on_exactly_the_report_models():
    from orchestration.dbt import DBT_PROJECT
    from orchestration.definitions import defs
    from orchestration.reports import REPORT_DATA_KEY

    graph = defs.resolve_asset_graph()
    deps = {key.path[-1] for key in graph.get(REPORT_DATA_KEY).parent_keys}
    tables = site_tables(json.loads(DBT_PROJECT.manifest_path.read_text()))
    assert deps == {t.model for t in tables}
    assert "rpt_eng_pr_size" in deps and "rpt_quarantine_by_reason" in deps


def test_export_names_missing_report_models(demo_warehouse, tmp_path):
    """A warehouse built before the report models existed: one clear error."""
    warehouse = tmp_path / "old.duckdb"
    duckdb.connect(str(warehouse)).close()
    target = target_path_for(warehouse)
    target.mkdir(parents=True)
    shutil.copy(target_path_for(demo_warehouse.path) / "manifest.json", target / "manifest.json")
    with pytest.raises(
        OutcomesError,
        match=r"has no reports\.rpt_.*reports\.rpt_eng_dora,.*build the warehouse first",
    ):
        export_csv(warehouse, tmp_path / "site")


def five_author_service(path: Path):
    """Five people each merge one pull request (merge commits), released together:
    first commits at 00:00..04:00 UTC on 3 March, v1.1.0 at 12:00 on 5 March, so
    the lead times are 60, 59, 58, 57 and 56 h (p50 58 h, p85 59.4 h); two
    releases (v1.0.0 on 2 March, v1.1.0) in the week of 2 March."""
    repo = init_repo(path, "git@github.com:acme/svc.git")
    repo.commit("c1", "Initial commit", ADA, "2026-03-02T08:00:00+0000")
    repo.git("tag", "v1.0.0")
    for i, person in enumerate([ADA, BOB, CAROL, DAN, FRANK]):
        repo.git("checkout", "-q", "-b", f"f{i}", "main")
        repo.commit(f"f{i}", f"Change {i}", person, f"2026-03-03T0{i}:00:00+0000")
        repo.git("checkout", "-q", "main")
        repo.git(
            "merge",
            "-q",
            "--no-ff",
            f"f{i}",
            "-m",
            f"Merge pull request #{10 + i} from acme/f{i}",
            who=GITHUB,
            at=f"2026-03-04T10:0{i}:00+0000",
        )
    repo.git("tag", "-a", "v1.1.0", "-m", "Release", who=EVE, at="2026-03-05T12:00:00+0000")
    return repo


def page_text(path: Path) -> str:
    text = re.sub(r"<[^>]+>", " ", path.read_text())
    return html.unescape(re.sub(r"\s+", " ", text))


@pytest.mark.slow
# Its build runs the models only: tests/git/test_run_git_cli.py runs dbt's
# tests on a git-only warehouse.
@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")
def test_git_only_warehouse_builds_a_site_with_deploys_and_lead_time(tmp_path, monkeypatch):
    """No roster: no team, no team KPI. The run summary says why; the site still
    builds (no team page to prerender is no failure) and the engineering page
    shows deployments per week and lead time across all repositories."""
    repo = five_author_service(tmp_path / "svc")
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("OUTCOMES_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", "git-only-site-test-salt-0123456789")
    result = CliRunner().invoke(
        main, ["run", "--git", str(repo.path), "--config", str(tmp_path / "absent.yml")]
    )
    assert result.exit_code == 0, result.output
    assert "0 KPIs" not in result.output
    assert "KPIs built: none, because no roster is loaded" in result.output

    site = tmp_path / "site"
    site.mkdir()
    for name in ("pages", "evidence.config.yaml", "evidence.settings.json", "package.json"):
        source = REPORTS_DIR / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, site / name)
    (site / "node_modules").symlink_to(REPORTS_DIR / "node_modules")
    build_site(warehouse, site)

    with open(site / "static" / "data" / "eng_delivery_weekly.csv", newline="") as handle:
        weeks = list(csv.DictReader(handle))
    assert weeks == [
        {
            "week_start": "2026-03-02",
            "deployment_count": "2",
            "deployment_days": "2",
            "change_count": "5",
            "lead_time_p50_hours": "58.0",
            "lead_time_p85_hours": "59.4",
            "contributor_count": "5",
            "is_suppressed": "false",
        }
    ]
    delivery = page_text(site / "build" / "functions" / "engineering" / "delivery" / "index.html")
    assert "2 production deployments in 1 weeks" in delivery
    assert "lead time for changes (first commit to deployed) is 58.0 h" in delivery
    assert "From git alone there is no PR-opened time or review data" in delivery
    teams = page_text(site / "build" / "teams" / "index.html")
    assert "No team is known yet" in teams
