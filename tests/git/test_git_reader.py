"""The git reader and its policy, without dlt: graph walks checked against git
itself, retention, .mailmap, and policy mistakes that must fail by name."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from outcomes.errors import OutcomesError
from outcomes.privacy.pseudonym import pseudonymize
from pipelines.common.policy import LOADED_AT_COLUMN, load_policy
from pipelines.git import POLICY, read_tables
from pipelines.git.policy import check_policy
from pipelines.git.reader import (
    STREAM_COMMITS,
    STREAM_PULL_REQUEST_COMMITS,
    STREAM_PULL_REQUESTS,
    STREAM_TAGS,
    brought_in,
    read_repositories,
    read_repository,
    repository_name,
)
from pipelines.git.synth import synthesize_repo
from tests.git.conftest import ADA, LOADED_AT, SALT, Repo, init_repo, utc


def _graph(read):
    log = read.streams[STREAM_COMMITS]
    shas = log.column("sha").to_pylist()
    index = {sha: i for i, sha in enumerate(shas)}
    parent_shas = log.column("parents").to_pylist()
    parents = [[index[p] for p in ps if p in index] for ps in parent_shas]
    generation = [0] * len(shas)
    for i in range(len(shas) - 1, -1, -1):
        generation[i] = 1 + max((generation[p] for p in parents[i]), default=0)
    return shas, index, parent_shas, parents, generation


def _rev_list(repo: Repo, *args: str) -> set[str]:
    return set(repo.git("rev-list", *args).split())


def test_every_merge_brings_in_what_git_rev_list_says(repos):
    """Each merge of the hand-made repository, on the main line or not."""
    repo = repos["api"]
    shas, index, parent_shas, parents, generation = _graph(read_repository(repo.path))
    merges = [i for i, ps in enumerate(parent_shas) if len(ps) > 1]
    assert len(merges) == 2
    for m in merges:
        got = {
            shas[c]
            for c in brought_in(
                index[parent_shas[m][0]],
                [index[p] for p in parent_shas[m][1:]],
                parents,
                generation,
            )
        }
        assert got == _rev_list(repo, f"{shas[m]}^2", "--not", f"{shas[m]}^1")
    # main merged into feature brought c3 into the feature branch
    assert {
        shas[c]
        for c in brought_in(index[repo.shas["f1"]], [index[repo.shas["c3"]]], parents, generation)
    } == {repo.shas["c3"]}


def _first_release_by_git(repo: Repo, read) -> dict[str, str | None]:
    """Each commit's first release tag (by tag date, then name) among those
    whose `git rev-list` holds it: what `git tag --contains` would list."""
    tags = sorted(read.streams[STREAM_TAGS].to_pylist(), key=lambda t: (t["date"], t["name"]))
    first: dict[str, str | None] = {}
    for tag in tags:
        for sha in _rev_list(repo, tag["commit.sha"]):
            first.setdefault(sha, tag["name"])
    log = read.streams[STREAM_COMMITS]
    return {sha: first.get(sha) for sha in log.column("sha").to_pylist()}


def _first_release_read(read) -> dict[str, str | None]:
    log = read.streams[STREAM_COMMITS]
    return dict(
        zip(
            log.column("sha").to_pylist(),
            log.column("first_release_tag").to_pylist(),
            strict=True,
        )
    )


def test_each_commit_knows_the_first_release_containing_it(repos):
    """By ancestry (issue 14): v0.9.0 holds c1..c3; v1.0.0 what PR 7 brought
    in and M7; later commits, the other branches and the rebased-away
    commits no release holds."""
    repo = repos["api"]
    read = read_repository(repo.path)
    got = _first_release_read(read)
    assert got == _first_release_by_git(repo, read)
    s = repo.shas
    assert [got[s[k]] for k in ("c1", "c2", "c3", "f1", "m1", "f2", "M7")] == [
        "v0.9.0",
        "v0.9.0",
        "v0.9.0",
        "v1.0.0",
        "v1.0.0",
        "v1.0.0",
        "v1.0.0",
    ]
    assert [got[s[k]] for k in ("S8", "R", "t1", "t2", "w1")] == [None] * 5


def test_synthetic_history_agrees_with_git(tmp_path):
    """Pull request commits and the main line of a 3,000-commit history, against git."""
    synth = synthesize_repo(
        tmp_path / "synth", commits=3_000, merge_every=3, seed=5, end=dt.datetime(2026, 5, 1)
    )
    repo = Repo(synth.path)
    read = read_repository(synth.path)
    log = read.streams[STREAM_COMMITS]
    on_main = {
        sha
        for sha, main in zip(
            log.column("sha").to_pylist(), log.column("is_on_main_line").to_pylist(), strict=True
        )
        if main
    }
    assert on_main == _rev_list(repo, "--first-parent", "main")
    assert len(on_main) == synth.main_line
    links = read.streams[STREAM_PULL_REQUEST_COMMITS].to_pylist()
    members: dict[str, set[str]] = {}
    for link in links:
        members.setdefault(link["merge.sha"], set()).add(link["sha"])
    prs = read.streams[STREAM_PULL_REQUESTS].to_pylist()
    merges = [pr["commit.sha"] for pr in prs if pr["merge_method"] == "merge"]
    assert len(merges) == synth.merge_pull_requests
    for sha in random.Random(3).sample(merges, 40):
        assert members[sha] == _rev_list(repo, f"{sha}^2", "--not", f"{sha}^1")
    assert sum(pr["commit_count"] for pr in prs if pr["merge_method"] == "merge") == (
        synth.commits - synth.main_line
    )
    # each commit's first release tag, by ancestry, is the one git finds
    assert synth.release_tags > 2
    assert _first_release_read(read) == _first_release_by_git(repo, read)


def test_rows_older_than_the_retention_window_are_not_written(repos):
    # 396 days after 2026-03-04 12:00 UTC: only what happened since then lands.
    loaded_at = utc("2026-03-04T12:00") + dt.timedelta(days=POLICY.retention_days)
    reads = {
        r.table.name: r
        for r in read_tables(
            read_repositories([repos["api"].path, repos["web"].path]), SALT, loaded_at
        )
    }
    s = repos["api"].shas
    commits = reads["commits"]
    assert set(commits.data.column("commit_sha").to_pylist()) == {
        s["S8"],
        s["R"],
        s["t1"],
        s["t2"],
        s["w1"],
        repos["web"].shas["a"],
        repos["web"].shas["b"],
    }
    assert (commits.records_read, commits.outside_window) == (14, 7)
    assert reads["tags"].data.column("tag_name").to_pylist() == ["v1.0.0", "1.2"]
    assert reads["pull_requests"].data.column("pull_request_number").to_pylist() == [8]
    assert reads["pull_request_commits"].data.column("commit_sha").to_pylist() == [s["S8"]]
    assert reads["repositories"].data.num_rows == 2  # no time field: always kept


def test_mailmap_maps_old_addresses_to_the_canonical_one(tmp_path):
    repo = init_repo(tmp_path / "mapped")
    (repo.path / ".mailmap").write_text("Ada Lovelace <ada@acme.test> <ada@old-domain.test>\n")
    old = ("Ada L.", "ada@old-domain.test")
    repo.commit("m", "Add mailmap", old, "2026-05-01T10:00:00+0000")
    repo.git("tag", "-a", "v2.0", "-m", "release", who=old, at="2026-05-02T10:00:00+0000")
    reads = {r.table.name: r for r in read_tables(read_repositories([repo.path]), SALT, LOADED_AT)}
    ada = pseudonymize(ADA[1], SALT, "email", "git")
    assert reads["commits"].data.column("author_person_key").to_pylist() == [ada]
    assert reads["tags"].data.column("tagger_person_key").to_pylist() == [ada]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("git@github.com:acme/api.git", "acme/api"),
        ("https://x-access-token:ghp_secret@github.com/acme/web.git", "acme/web"),
        ("ssh://git@gitlab.example.com:2222/group/sub/tool.git", "sub/tool"),
        ("/srv/mirrors/plain.git", "folder"),
    ],
)
def test_repository_name_from_the_origin_url_never_its_credentials(tmp_path, url, name):
    repo = init_repo(tmp_path / "folder", url)
    assert repository_name(repo.path) == name


def test_default_branch_prefers_origin_head_then_head(tmp_path):
    repo = init_repo(tmp_path / "r")
    repo.commit("a", "one", ADA, "2026-05-01T10:00:00+0000")
    repo.git("checkout", "-q", "-b", "my-work")
    repo.commit("b", "two", ADA, "2026-05-01T11:00:00+0000")
    facts = read_repository(repo.path).streams["repository"].to_pylist()[0]
    assert (facts["default_branch"], facts["default_branch.head_sha"]) == (
        "my-work",
        repo.shas["b"],
    )
    repo.git("update-ref", "refs/remotes/origin/main", repo.shas["a"])
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    facts = read_repository(repo.path).streams["repository"].to_pylist()[0]
    assert (facts["default_branch"], facts["default_branch.head_sha"]) == ("main", repo.shas["a"])
    explicit = read_repository(repo.path, branch="my-work").streams["repository"].to_pylist()[0]
    assert explicit["default_branch"] == "my-work"
    with pytest.raises(OutcomesError, match="default branch 'trunk' not found"):
        read_repository(repo.path, branch="trunk")


def test_committed_policy_parses_and_only_listed_columns_land(repos):
    assert load_policy("git") == POLICY
    assert POLICY.purpose.strip() and POLICY.retention_days == 396
    check_policy(POLICY)
    reads = read_tables(read_repositories([repos["web"].path]), SALT, LOADED_AT)
    for read in reads:
        assert read.data.column_names == [c.name for c in read.table.columns] + [LOADED_AT_COLUMN]


def _policy(tmp_path, columns: str, file: str = "log"):
    (tmp_path / "git").mkdir()
    (tmp_path / "git" / "policy.yml").write_text(f"""
source: git
purpose: test
retention_days: 30
tables:
  commits:
    file: {file}
    primary_key: [repository_name, commit_sha]
    columns:
      repository_name: {{path: repository, action: keep}}
      commit_sha: {{path: sha, action: keep}}
{columns}
""")
    return load_policy("git", tmp_path)


def test_a_policy_naming_an_unknown_git_field_fails_by_name(tmp_path):
    policy = _policy(tmp_path, "      author_name: {path: author.name, action: keep}")
    with pytest.raises(
        OutcomesError,
        match=r"table 'commits', column 'author_name': "
        r"'author.name' is not a field of git stream 'log'",
    ):
        check_policy(policy)


@pytest.mark.parametrize(
    "column",
    [
        "authored_at: {path: author.date, action: keep}",  # a date kept as text
        "parent_total: {path: is_merge, type: timestamp, action: keep}",  # not a date
    ],
)
def test_a_git_date_is_kept_as_a_timestamp_and_nothing_else_is(tmp_path, column):
    # git's dates are epoch seconds: only a timestamp column range-checks them (#14)
    policy = _policy(tmp_path, f"      {column}")
    with pytest.raises(OutcomesError, match="a git date field is kept as type timestamp"):
        check_policy(policy)


def test_a_policy_naming_an_unknown_stream_fails_by_name(tmp_path):
    policy = _policy(tmp_path, "", file="reflog")
    with pytest.raises(OutcomesError, match=r"table 'commits': file must name a git stream"):
        check_policy(policy)


def test_a_smaller_policy_lands_fewer_columns(tmp_path, repos):
    from pipelines.git.policy import apply_policy

    policy = _policy(tmp_path, "")
    check_policy(policy)
    stream = read_repository(repos["web"].path).streams[STREAM_COMMITS]
    read = apply_policy(policy, policy.tables[0], stream, SALT, LOADED_AT, {"acme/web": "web"})
    assert read.data.schema.names == ["repository_name", "commit_sha", LOADED_AT_COLUMN]
    assert read.data.schema.field("commit_sha").type == pa.string()


def test_a_numbered_commit_inside_a_merged_pull_request_is_not_a_squash(tmp_path):
    repo = init_repo(tmp_path / "r")
    repo.commit("a", "Initial commit", ADA, "2026-05-01T10:00:00+0000")
    repo.git("checkout", "-q", "-b", "fix")
    repo.commit("b", "Fix crash on empty input (#12)", ADA, "2026-05-01T11:00:00+0000")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "fix",
        "-m",
        "Merge pull request #13 from acme/fix",
        at="2026-05-02T10:00:00+0000",
    )
    read = read_repository(repo.path)
    prs = read.streams[STREAM_PULL_REQUESTS].to_pylist()
    assert [(pr["pull_request_number"], pr["merge_method"], pr["commit_count"]) for pr in prs] == [
        (13, "merge", 1)
    ]
    numbers = dict(
        zip(
            read.streams[STREAM_COMMITS].column("sha").to_pylist(),
            read.streams[STREAM_COMMITS].column("subject.pull_request_number").to_pylist(),
            strict=True,
        )
    )
    assert numbers[repo.shas["b"]] is None
