"""`outcomes run --git PATH` on a real repository gives the hand-computed
engineering figures that git alone can support (issue 5)."""

from __future__ import annotations

import datetime as dt

import duckdb
from click.testing import CliRunner

from outcomes.cli import main
from tests.git.conftest import ADA, BOB, DAN, EVE, GITHUB, init_repo


def build_service(path):
    repo = init_repo(path, "git@github.com:acme/svc.git")
    repo.commit("c1", "Initial commit", ADA, "2026-03-02T12:00:00+0200")  # 10:00 UTC
    repo.git("tag", "v1.0.0")  # lightweight: deployed at the commit's time
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("f1", "Start feature", BOB, "2026-03-03T04:00:00-0500")  # 09:00 UTC
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge pull request #7 from acme/feature",
        who=GITHUB,
        at="2026-03-03T12:00:00+0000",
    )
    repo.commit(
        "S8",
        "Add login (#8)",
        DAN,
        "2026-03-04T10:00:00+0000",
        committer=GITHUB,
        authored="2026-03-04T08:00:00+0000",
    )
    repo.git("tag", "-a", "v1.1.0", "-m", "Release", who=EVE, at="2026-03-05T11:00:00+0100")
    return repo


def test_run_git_yields_deployments_and_pull_request_cycle_times(tmp_path, monkeypatch):
    repo = build_service(tmp_path / "svc")
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("OUTCOMES_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", "git-cli-test-salt-0123456789")
    result = CliRunner().invoke(
        main, ["run", "--git", str(repo.path), "--config", str(tmp_path / "absent.yml")]
    )
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        deployments = con.execute(
            "select finished_at, change_count from marts.fct_deployments "
            "where source_system = 'git' and is_production order by finished_at"
        ).fetchall()
        pulls = con.execute(
            "select pull_request_number, cycle_time_hours, pickup_time_hours, has_review_data "
            "from marts.fct_pull_requests where source_system = 'git' "
            "order by pull_request_number"
        ).fetchall()
    finally:
        con.close()
    # v1.0.0 tags the first commit, before any pull request: it ships none.
    # v1.1.0 (tagged 10:00 UTC on 03-05) ships PR 7 and PR 8.
    assert deployments == [
        (dt.datetime(2026, 3, 2, 10, 0), 0),
        (dt.datetime(2026, 3, 5, 10, 0), 2),
    ]
    # PR 7: earliest commit 03-03 09:00 UTC -> deployed 03-05 10:00 = 49 h.
    # PR 8 (squash): the squash commit is authored when made, so the PR's first
    # commit is unknown: no cycle time (issue 14), not 26 h from its authoring.
    # Git has no review data: pickup is null, never zero.
    assert pulls == [(7, 49.0, None, False), (8, None, None, False)]
