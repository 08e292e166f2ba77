"""A bad commit or tag never stops a git load (#14): it goes to quarantine.records.

`odd` (origin git@github.com:acme/odd.git) carries dates git accepts but no
plausible history has, some written as raw commit objects (`git hash-object
--literally`), since `git commit` refuses them. UTC; the load is at
2026-06-01 12:00 (conftest.LOADED_AT), so the range is 1970-01-02 up to
2026-06-02 12:00:

    g1    Initial commit                 2026-03-02 10:00                    lands
    g2    Add readme                     2026-03-03 10:00                    lands
    y9999 Far future                     author and committer 9999-12-31     both dates after the load
    huge  Huge author date               author 99999999999999999999 s       past 64 bits: after the load
    neg   Negative author date           author -1 s (git reads no date)     authored_at missing
    zero  Epoch                          author and committer 0 s            both dates before 1970-01-02
    g3    Tweak config                   2026-03-05 10:00   <- v1.0.0        lands (lightweight tag lands)
                                                           <- v2.0.0        annotated, tagger date 9999: quarantined
    f1    Start feature (branch)         2026-03-06 10:00                    lands
    M10   Merge pull request #10         authored 9999, committed 2026-03-07 authored_at after the load;
                                                                             its pull request and that pull
                                                                             request's commit go with it
    g4    Last commit                    2026-03-08 10:00                    lands

Every number below is counted by hand from this history.
"""

from __future__ import annotations

import pytest

from pipelines.git import load_git, read_tables
from pipelines.git.reader import read_repositories
from tests.git.conftest import (
    LOADED_AT,
    PEOPLE,
    SALT,
    YEAR_9999,
    Repo,
    build_odd,
    build_web,
    query,
)

AFTER = "timestamp more than 1 day(s) after the load"
BEFORE = "timestamp before 1970-01-02"
MISSING = "missing required field"


@pytest.fixture(scope="module")
def odd(tmp_path_factory) -> tuple[Repo, Repo]:
    root = tmp_path_factory.mktemp("odd")
    return build_odd(root / "odd"), build_web(root / "web")


@pytest.fixture(scope="module")
def loaded(odd, tmp_path_factory):
    repo, web = odd
    warehouse = tmp_path_factory.mktemp("warehouse") / "w.duckdb"
    result = load_git([repo.path, web.path], warehouse, SALT, LOADED_AT)
    return warehouse, result


def _quarantine(warehouse) -> list[tuple]:
    return query(
        warehouse,
        "select table_name, file_name, record_key, field_name, reason, bad_value "
        "from quarantine.records where source_system = 'git' order by all",
    )


def test_the_load_succeeds_and_every_good_commit_and_tag_lands(loaded, odd):
    warehouse, result = loaded
    repo, _ = odd
    s = repo.shas
    assert result.published
    landed = query(
        warehouse,
        "select commit_sha from raw_git.commits where repository_name = 'acme/odd'",
    )
    assert {sha for (sha,) in landed} == {s[k] for k in ("g1", "g2", "g3", "f1", "g4")}
    assert query(
        warehouse, "select repository_name, count(*) from raw_git.commits group by 1 order by 1"
    ) == [("acme/odd", 5), ("acme/web", 2)]
    assert query(warehouse, "select repository_name, tag_name from raw_git.tags order by all") == [
        ("acme/odd", "v1.0.0"),
        ("acme/web", "1.2"),
    ]
    # Pull request 10 went to quarantine with its merge commit: nothing of it lands.
    assert query(warehouse, "select count(*) from raw_git.pull_requests") == [(0,)]
    assert query(warehouse, "select count(*) from raw_git.pull_request_commits") == [(0,)]
    assert result.quarantined == 10
    read = {r.table.name: r for r in result.reads}
    assert (read["commits"].records_read, read["commits"].data.num_rows) == (12, 7)


def test_each_bad_date_is_quarantined_with_its_repository_key_field_and_reason(loaded, odd):
    warehouse, _ = loaded
    repo, _ = odd
    s = repo.shas
    log = f"{repo.path} (log)"
    assert _quarantine(warehouse) == sorted(
        [
            ("commits", log, s["y9999"], "authored_at", AFTER, str(YEAR_9999)),
            ("commits", log, s["y9999"], "committed_at", AFTER, str(YEAR_9999)),
            # git's number is past 64 bits: read as the largest 64-bit value
            ("commits", log, s["huge"], "authored_at", AFTER, str(2**63 - 1)),
            ("commits", log, s["neg"], "authored_at", MISSING, None),
            ("commits", log, s["zero"], "authored_at", BEFORE, "0"),
            ("commits", log, s["zero"], "committed_at", BEFORE, "0"),
            ("commits", log, s["M10"], "authored_at", AFTER, str(YEAR_9999)),
            (
                "pull_requests",
                f"{repo.path} (log/pull_requests)",
                s["M10"],
                "merge_commit_sha",
                "quarantined with its commits record",
                None,
            ),
            (
                "pull_request_commits",
                f"{repo.path} (log/pull_request_commits)",
                f"{s['M10']}/{s['f1']}",
                "merge_commit_sha",
                "quarantined with its pull_requests record",
                None,
            ),
            (
                "tags",
                f"{repo.path} (for-each-ref/tags)",
                "v2.0.0",
                "tagged_at",
                AFTER,
                str(YEAR_9999),
            ),
        ]
    )


def test_the_run_summary_counts_them_by_reason(loaded):
    warehouse, _ = loaded
    assert query(
        warehouse,
        "select table_name, reason, count(*) from quarantine.records "
        "where source_system = 'git' group by all order by all",
    ) == [
        ("commits", MISSING, 1),
        ("commits", BEFORE, 2),
        ("commits", AFTER, 4),
        ("pull_request_commits", "quarantined with its pull_requests record", 1),
        ("pull_requests", "quarantined with its commits record", 1),
        ("tags", AFTER, 1),
    ]


def test_no_personal_value_reaches_quarantine(loaded):
    warehouse, _ = loaded
    rows = query(warehouse, "select * from quarantine.records")
    text = " ".join(str(v) for row in rows for v in row)
    assert "@" not in text
    for name, email in PEOPLE:
        assert email.lower() not in text.lower() and name not in text
    for subject in ("Far future", "Huge author date", "Release of year 9999", "Merge pull"):
        assert subject not in text


def test_a_rerun_gives_the_same_quarantine_and_lands_the_same_rows(loaded, odd):
    warehouse, first = loaded
    repo, web = odd
    before = _quarantine(warehouse)
    ids = query(warehouse, "select quarantine_id from quarantine.records order by 1")
    again = load_git([repo.path, web.path], warehouse, SALT, LOADED_AT)
    assert _quarantine(warehouse) == before
    assert query(warehouse, "select quarantine_id from quarantine.records order by 1") == ids
    assert again.quarantined == first.quarantined == 10
    assert again.rows_landed == first.rows_landed


def test_every_landed_pull_request_and_its_commits_have_their_commit(loaded):
    """The staging relationships (errors, not warnings) hold after a quarantine."""
    warehouse, _ = loaded
    assert query(
        warehouse,
        "select count(*) from raw_git.pull_requests as p anti join raw_git.commits as c "
        "on p.repository_name = c.repository_name and p.merge_commit_sha = c.commit_sha",
    ) == [(0,)]
    assert query(
        warehouse,
        "select count(*) from raw_git.pull_request_commits as p anti join raw_git.commits as c "
        "on p.repository_name = c.repository_name and p.commit_sha = c.commit_sha",
    ) == [(0,)]


def test_a_fixed_record_leaves_quarantine(tmp_path):
    """The history rewritten without the bad commits: the next load forgets them."""
    repo = build_odd(tmp_path / "odd")
    warehouse = tmp_path / "w.duckdb"
    load_git([repo.path], warehouse, SALT, LOADED_AT)
    assert query(warehouse, "select count(*) from quarantine.records") == [(10,)]
    repo.git("reset", "-q", "--hard", repo.shas["g2"])
    repo.git("tag", "-d", "v1.0.0")
    repo.git("tag", "-d", "v2.0.0")
    load_git([repo.path], warehouse, SALT, LOADED_AT)
    assert query(warehouse, "select count(*) from quarantine.records") == [(0,)]
    assert query(warehouse, "select count(*) from raw_git.commits") == [(2,)]


def test_a_required_value_missing_quarantines_the_row_not_the_table(odd):
    """The policy's `required`: a null quarantines that row only (before #14 it
    raised for the whole table)."""
    repo, _ = odd
    reads = {r.table.name: r for r in read_tables(read_repositories([repo.path]), SALT, LOADED_AT)}
    commits = reads["commits"]
    missing = [row for row in commits.quarantine.to_pylist() if row["reason"] == MISSING]
    assert [(m["record_key"], m["field_name"]) for m in missing] == [
        (repo.shas["neg"], "authored_at")
    ]
    assert repo.shas["neg"] not in commits.data.column("commit_sha").to_pylist()
    assert commits.data.num_rows == 5
    assert commits.records_read == 10
