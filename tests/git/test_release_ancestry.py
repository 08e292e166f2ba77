"""Releases of a real repository are credited by git ancestry (issue 14).

`outcomes run --git` on a repository built with git commands, with a release
branch, squash merges and reverts; every figure below is computed by hand.
All times UTC; every tag is annotated, so its date is the tagging time.

    c1      Initial commit                         03-01 10:00   main
    f1      Start feature (PR 1)                   03-02 09:00   feature-1
    M1      Merge pull request #1                  03-02 12:00   main
            v1.0.0  tagged 03-02 14:00 on M1: the first release in the window
    S2      Add login (#2)  squash, authored=committed 03-03 12:00          main
    h1      Fix typo on the release branch         03-04 09:00   release-1.0 (from v1.0.0)
            v1.0.1  tagged 03-04 10:00 on h1: a tag on ANOTHER branch, made
                    after PR 2 merged, that does not contain it
    f3      Start cache (PR 3)                     03-05 08:00   feature-3
    M3      Merge pull request #3                  03-05 10:00   main
    S4      Add metrics (#4) squash                03-05 11:00   main
    R4      Revert "Add metrics (#4)"              03-05 12:00   main
            v1.1.0  tagged 03-06 10:00 on R4: ships PR 2, 3, 4 and PR 4's revert
    S5      Add search (#5) squash                 03-06 12:00   main
            v1.2.0  tagged 03-06 14:00 on S5
    R5      Revert "Add search (#5)"               03-07 09:00   main
            v1.3.0  tagged 03-07 10:00 on R5: ships PR 5's revert, 20 h after v1.2.0
            v1.0.2  tagged 03-08 10:00 on M1 again: a redeploy of an old commit
"""

from __future__ import annotations

import datetime as dt
import subprocess

import duckdb
import pytest
from click.testing import CliRunner

from outcomes.cli import main
from tests.conftest import DBT_TESTS_LEFT_OUT
from tests.git.conftest import ADA, BOB, DAN, EVE, GITHUB, Repo, init_repo

# One worker builds the module's warehouse once, and its build runs the models
# only: the figures below are the point; tests/git/test_run_git_cli.py runs
# dbt's tests on a git-only warehouse.
pytestmark = pytest.mark.xdist_group("release_ancestry")


def _tag(repo: Repo, name: str, at: str, target: str = "HEAD") -> None:
    repo.git("tag", "-a", name, "-m", "Release", target, who=EVE, at=at)


def _merge(repo: Repo, key: str, branch: str, number: int, at: str) -> None:
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        branch,
        "-m",
        f"Merge pull request #{number} from acme/{branch}",
        who=GITHUB,
        at=at,
    )
    repo.shas[key] = repo.rev("HEAD")
    repo.git("branch", "-q", "-D", branch)


def build_service(path) -> Repo:
    repo = init_repo(path, "git@github.com:acme/svc.git")
    repo.commit("c1", "Initial commit", ADA, "2026-03-01T10:00:00+0000")
    repo.git("checkout", "-q", "-b", "feature-1")
    repo.commit("f1", "Start feature", BOB, "2026-03-02T09:00:00+0000")
    repo.git("checkout", "-q", "main")
    _merge(repo, "M1", "feature-1", 1, "2026-03-02T12:00:00+0000")
    _tag(repo, "v1.0.0", "2026-03-02T14:00:00+0000")
    repo.commit("S2", "Add login (#2)", DAN, "2026-03-03T12:00:00+0000", committer=GITHUB)
    repo.git("checkout", "-q", "-b", "release-1.0", "v1.0.0")
    repo.commit("h1", "Fix typo", ADA, "2026-03-04T09:00:00+0000")
    _tag(repo, "v1.0.1", "2026-03-04T10:00:00+0000")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "feature-3")
    repo.commit("f3", "Start cache", BOB, "2026-03-05T08:00:00+0000")
    repo.git("checkout", "-q", "main")
    _merge(repo, "M3", "feature-3", 3, "2026-03-05T10:00:00+0000")
    repo.commit("S4", "Add metrics (#4)", DAN, "2026-03-05T11:00:00+0000", committer=GITHUB)
    repo.git("revert", "--no-edit", "HEAD", who=ADA, at="2026-03-05T12:00:00+0000")
    repo.shas["R4"] = repo.rev("HEAD")
    _tag(repo, "v1.1.0", "2026-03-06T10:00:00+0000")
    repo.commit("S5", "Add search (#5)", DAN, "2026-03-06T12:00:00+0000", committer=GITHUB)
    _tag(repo, "v1.2.0", "2026-03-06T14:00:00+0000")
    repo.git("revert", "--no-edit", "HEAD", who=ADA, at="2026-03-07T09:00:00+0000")
    repo.shas["R5"] = repo.rev("HEAD")
    _tag(repo, "v1.3.0", "2026-03-07T10:00:00+0000")
    _tag(repo, "v1.0.2", "2026-03-08T10:00:00+0000", target=repo.shas["M1"])
    return repo


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("ancestry")
    repo = build_service(root / "svc")
    warehouse = root / "w.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OUTCOMES_WAREHOUSE", str(warehouse))
        patch.setenv("OUTCOMES_PSEUDONYM_SALT", "git-ancestry-test-salt-0123456789")
        patch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", DBT_TESTS_LEFT_OUT)
        result = CliRunner().invoke(
            main, ["run", "--git", str(repo.path), "--config", str(root / "absent.yml")]
        )
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    yield repo, con
    con.close()


def _tag_of(con, deployment_id: str | None) -> str | None:
    if deployment_id is None:
        return None
    rows = con.execute(
        "select t.tag_name from staging.stg_git__tags as t where 'git:' || t.git_tag_id = ?",
        [deployment_id],
    ).fetchall()
    return rows[0][0]


def _pulls(con) -> dict[int, tuple]:
    rows = con.execute(
        "select pull_request_number, deployment_id, first_commit_at, cycle_time_hours, "
        "is_reverted from marts.fct_pull_requests "
        "where source_system = 'git' order by pull_request_number"
    ).fetchall()
    return {r[0]: (_tag_of(con, r[1]), *r[2:]) for r in rows}


def _deployments(con) -> list[tuple]:
    rows = con.execute(
        "select deployment_id, change_count, has_caused_failure, failure_reason "
        "from marts.fct_deployments where source_system = 'git' order by finished_at"
    ).fetchall()
    return [(_tag_of(con, r[0]), *r[1:]) for r in rows]


def test_each_pull_request_is_credited_to_the_first_release_containing_it(built):
    repo, con = built
    shipped = {number: p[0] for number, p in _pulls(con).items()}
    # By time, PR 2 (merged 03-03 12:00) went to v1.0.1, whose commit (03-04
    # 09:00, on the release branch) is later but does not contain it.
    assert shipped == {1: "v1.0.0", 2: "v1.1.0", 3: "v1.1.0", 4: "v1.1.0", 5: "v1.2.0"}
    merges = dict(
        con.execute(
            "select pull_request_number, merge_commit_sha from staging.stg_git__pull_requests"
        ).fetchall()
    )
    for number, tag in shipped.items():  # git agrees: the tag contains the merge commit
        contained = subprocess.run(
            ["git", "-C", str(repo.path), "merge-base", "--is-ancestor", merges[number], tag],
            check=False,
        )
        assert contained.returncode == 0, (number, tag)


def test_the_first_release_in_the_window_is_credited_with_what_it_shipped(built):
    _, con = built
    deployments = _deployments(con)
    assert deployments[0][:2] == ("v1.0.0", 1)  # PR 1; before: 0
    pulls = _pulls(con)
    # PR 1: first commit f1 03-02 09:00 -> v1.0.0 tagged 14:00 = 5 h.
    assert pulls[1][2] == 5.0


def test_a_change_and_its_revert_in_one_release_are_no_failure(built):
    _, con = built
    verdicts = {tag: (failed, reason) for tag, _, failed, reason in _deployments(con)}
    # PR 4 and its revert shipped together in v1.1.0: PR 4 never ran alone in
    # production (before: v1.1.0 failed, reason revert). PR 5's revert shipped
    # by the next release, 20 h later: v1.2.0 is a failed change.
    assert verdicts == {
        "v1.0.0": (False, None),
        "v1.0.1": (False, None),
        "v1.1.0": (False, None),
        "v1.2.0": (True, "revert"),
        "v1.3.0": (False, None),
        "v1.0.2": (False, None),
    }
    assert _deployments(con) == [
        ("v1.0.0", 1, False, None),
        ("v1.0.1", 0, False, None),  # the release branch's fix ships no PR
        # PR 4 and its revert shipped together: PR 4 never ran alone in production.
        ("v1.1.0", 3, False, None),
        # PR 5's revert shipped by the next release, 20 h later: a failed change.
        ("v1.2.0", 1, True, "revert"),
        ("v1.3.0", 0, False, None),
        ("v1.0.2", 0, False, None),  # a redeploy of an old commit ships nothing new
    ]
    reverts = con.execute(
        "select pull_request_number, is_reverted, revert_deployment_id "
        "from marts.fct_pull_requests where source_system = 'git' and is_reverted "
        "order by pull_request_number"
    ).fetchall()
    assert [(n, r, _tag_of(con, d)) for n, r, d in reverts] == [
        (4, True, "v1.1.0"),
        (5, True, "v1.3.0"),
    ]


def test_squash_merged_pull_requests_have_no_known_first_commit(built):
    _, con = built
    pulls = _pulls(con)
    # A squash commit is authored when it is made: its PR's first commit (and
    # so its cycle time) is unknown, never 0 h from "first commit" to merge.
    for number in (2, 4, 5):
        assert pulls[number][1:3] == (None, None), number
    # PR 3 (a merge): first commit f3 03-05 08:00 -> v1.1.0 03-06 10:00 = 26 h.
    assert pulls[3][1:3] == (dt.datetime(2026, 3, 5, 8, 0), 26.0)
