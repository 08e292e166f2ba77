"""The git source end to end: real repositories (conftest.py) -> dlt -> DuckDB.

Every expected value is computed by hand from the history drawn in conftest.py.
"""

from __future__ import annotations

import shutil

import pytest

from outcomes.errors import OutcomesError
from outcomes.privacy.pseudonym import pseudonymize
from pipelines.git import load_git
from tests.git.conftest import (
    BOB,
    CAROL,
    DAN,
    EVE,
    GITHUB,
    GRACE,
    LOADED_AT,
    PEOPLE,
    SALT,
    SUBJECTS,
    build_api,
    build_web,
    init_repo,
    query,
    utc,
)


def key(person: tuple[str, str]) -> str:
    return pseudonymize(person[1], SALT, "email", "git")


@pytest.fixture(scope="module")
def loaded(repos, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse") / "w.duckdb"
    result = load_git([repos["api"].path, repos["web"].path], warehouse, SALT, LOADED_AT)
    return warehouse, result


def commits(warehouse, where: str = "true") -> dict[str, tuple]:
    rows = query(
        warehouse, f"select commit_sha, * exclude (commit_sha) from raw_git.commits where {where}"
    )
    return {row[0]: row[1:] for row in rows}


def test_every_reachable_commit_once_and_nothing_else(loaded, repos):
    warehouse, result = loaded
    api = repos["api"]
    assert query(
        warehouse, "select repository_name, count(*) from raw_git.commits group by 1 order by 1"
    ) == [("acme/api", 12), ("acme/web", 2)]
    shas = set(commits(warehouse, "repository_name = 'acme/api'"))
    assert shas == {
        api.shas[k] for k in ("c1", "c2", "f1", "c3", "m1", "f2", "M7", "S8", "R", "t1", "t2", "w1")
    }
    # Not the stash (local work in progress), not the commits a rebase replaced.
    stash = api.git("rev-list", "refs/stash", "--not", "main").split()
    assert stash and not shas & set(stash)
    assert api.shas["t1_before_rebase"] not in shas and api.shas["t2_before_rebase"] not in shas
    by_table = {read.table.name: read.data.num_rows for read in result.reads}
    assert by_table == {
        "commits": 14,
        "pull_requests": 2,
        "pull_request_commits": 4,
        "tags": 3,
        "repositories": 2,
    }
    assert result.records_read == result.rows_landed == 25
    assert all(read.files for read in result.reads)


def test_main_line_is_the_first_parent_chain_of_main(loaded, repos):
    warehouse, _ = loaded
    s = repos["api"].shas
    on_main = {
        sha
        for (sha,) in query(
            warehouse,
            "select commit_sha from raw_git.commits "
            "where is_on_main_line and repository_name = 'acme/api'",
        )
    }
    # Rebased commits t1, t2 landed on main individually; the feature commits
    # came in through the merge; w1 is on an unmerged branch.
    assert on_main == {s[k] for k in ("t2", "t1", "R", "S8", "M7", "c3", "c2", "c1")}
    assert query(
        warehouse,
        "select count(*) from raw_git.commits "
        "where repository_name = 'acme/web' and is_on_main_line",
    ) == [(2,)]


def test_parents_merges_and_pull_request_numbers(loaded, repos):
    warehouse, _ = loaded
    s = repos["api"].shas
    rows = query(
        warehouse,
        "select commit_sha, parent_count, is_merge, first_parent_sha, "
        "pull_request_number, is_revert, reverted_pull_request_number "
        "from raw_git.commits",
    )
    got = {row[0]: row[1:] for row in rows}
    assert got[s["c1"]] == (0, False, None, None, False, None)
    assert got[s["M7"]] == (2, True, s["c3"], 7, False, None)
    assert got[s["m1"]] == (2, True, s["f1"], None, False, None)  # main merged into feature
    assert got[s["S8"]] == (1, False, s["M7"], 8, False, None)
    assert got[s["R"]] == (1, False, s["S8"], None, True, 8)
    assert got[s["t1"]] == (1, False, s["R"], None, False, None)
    assert sum(1 for row in got.values() if row[4]) == 1  # only R is a revert


def test_timestamps_are_utc_with_offsets_honoured(loaded, repos):
    warehouse, _ = loaded
    s = repos["api"].shas
    got = {
        sha: row
        for sha, *row in query(
            warehouse, "select commit_sha, authored_at, committed_at from raw_git.commits"
        )
    }
    assert got[s["c1"]] == [utc("2026-03-02T08:00"), utc("2026-03-02T08:00")]  # +0200
    assert got[s["f1"]] == [utc("2026-03-02T14:30"), utc("2026-03-02T14:30")]  # -0500
    assert got[s["S8"]] == [utc("2026-03-05T03:30"), utc("2026-03-05T10:15")]  # +0530 / +0000
    # A rebase keeps the author date and sets a new committer date.
    assert got[s["t1"]] == [utc("2026-03-03T23:00"), utc("2026-03-07T09:00")]  # +0900
    types = dict(
        query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_git' and table_name = 'commits'",
        )
    )
    assert types["authored_at"] == types["_outcomes_loaded_at"] == "TIMESTAMP"
    assert query(warehouse, "select distinct _outcomes_loaded_at from raw_git.commits") == [
        (LOADED_AT,)
    ]


def test_pull_request_7_merge_commit_and_its_commits(loaded, repos):
    warehouse, _ = loaded
    s = repos["api"].shas
    assert query(
        warehouse,
        "select merge_commit_sha, merge_method, merged_at, is_on_main_line, "
        "is_canonical, commit_count, first_authored_at from raw_git.pull_requests "
        "where pull_request_number = 7",
    ) == [(s["M7"], "merge", utc("2026-03-04T11:00"), True, True, 3, utc("2026-03-02T14:30"))]
    # Reachable from the second parent (f2) but not from the first (c3): c3,
    # which the feature branch merged in, is not one of the PR's commits.
    members = query(
        warehouse,
        "select commit_sha, authored_at from raw_git.pull_request_commits "
        f"where merge_commit_sha = '{s['M7']}' order by authored_at",
    )
    assert members == [
        (s["f1"], utc("2026-03-02T14:30")),
        (s["m1"], utc("2026-03-03T09:00")),
        (s["f2"], utc("2026-03-03T13:00")),
    ]


def test_pull_request_8_squash(loaded, repos):
    warehouse, _ = loaded
    s = repos["api"].shas
    assert query(
        warehouse,
        "select merge_commit_sha, merge_method, merged_at, commit_count, "
        "first_authored_at from raw_git.pull_requests "
        "where pull_request_number = 8",
    ) == [(s["S8"], "squash", utc("2026-03-05T10:15"), 1, utc("2026-03-05T03:30"))]
    assert query(
        warehouse,
        "select commit_sha from raw_git.pull_request_commits where pull_request_number = 8",
    ) == [(s["S8"],)]


def test_release_tags_peeled_with_their_dates(loaded, repos):
    warehouse, _ = loaded
    api, web = repos["api"].shas, repos["web"].shas
    assert query(
        warehouse,
        "select repository_name, tag_name, commit_sha, is_annotated, tagged_at, "
        "tagger_person_key from raw_git.tags order by 1, 2",
    ) == [
        # lightweight: the commit's committer date; annotated: the tagger date
        ("acme/api", "v0.9.0", api["c3"], False, utc("2026-03-03T08:00"), None),
        ("acme/api", "v1.0.0", api["M7"], True, utc("2026-03-04T14:00"), key(EVE)),
        ("acme/web", "1.2", web["b"], False, utc("2026-04-02T16:00"), None),
    ]
    assert query(
        warehouse,
        "select repository_name, default_branch, default_branch_head_sha, "
        "is_shallow, commit_count, release_tag_count from raw_git.repositories "
        "order by 1",
    ) == [
        ("acme/api", "main", api["t2"], False, 12, 2),
        ("acme/web", "main", web["b"], False, 2, 1),
    ]


def test_people_are_keyed_pseudonyms_of_their_email(loaded, repos):
    warehouse, _ = loaded
    s = repos["api"].shas
    got = {
        sha: row
        for sha, *row in query(
            warehouse,
            "select commit_sha, author_person_key, committer_person_key from raw_git.commits",
        )
    }
    assert got[s["f1"]] == [key(BOB), key(BOB)]
    assert key(BOB) == pseudonymize("bob@acme.test", SALT, "email", "git")  # case folded
    assert got[s["M7"]] == [key(CAROL), key(GITHUB)]
    assert got[s["S8"]] == [key(DAN), key(GITHUB)]


def test_no_email_name_message_or_tag_text_anywhere_in_raw_git(loaded):
    warehouse, _ = loaded
    needles = {text.lower() for person in PEOPLE for text in person} | {s.lower() for s in SUBJECTS}
    columns = query(
        warehouse,
        "select table_schema, table_name, column_name "
        "from information_schema.columns where data_type = 'VARCHAR'",
    )  # every schema: raw_git, dlt's state, the gate's and the audit's tables
    assert len(columns) > 20
    leaks = []
    for schema, table, column in columns:
        for (value,) in query(
            warehouse,
            f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null',
        ):
            text = value.lower()
            leaks += [f"{schema}.{table}.{column}: {n!r}" for n in needles if n in text]
            if "@" in text and table != "_dlt_version":
                leaks.append(f"{schema}.{table}.{column} holds {value!r}")
    assert not leaks, "\n".join(leaks)


def test_loading_the_same_repositories_again_changes_nothing(loaded, repos):
    warehouse, first = loaded
    tables = ["commits", "pull_requests", "pull_request_commits", "tags", "repositories"]

    def snapshot():
        return {
            t: query(
                warehouse, f"select * exclude (_outcomes_loaded_at) from raw_git.{t} order by all"
            )
            for t in tables
        }

    before = snapshot()
    again = load_git([repos["api"].path, repos["web"].path], warehouse, SALT, LOADED_AT)
    assert snapshot() == before
    assert again.rows_landed == first.rows_landed


def test_a_load_replaces_the_rows_of_the_repositories_it_read(tmp_path):
    api, web = build_api(tmp_path / "api"), build_web(tmp_path / "web")
    warehouse = tmp_path / "w.duckdb"
    load_git([api.path, web.path], warehouse, SALT, LOADED_AT)
    api.git("branch", "-q", "-D", "wip")
    api.git("tag", "-d", "grace-experiment")
    load_git([api.path], warehouse, SALT, LOADED_AT)
    assert query(
        warehouse, "select repository_name, count(*) from raw_git.commits group by 1 order by 1"
    ) == [("acme/api", 11), ("acme/web", 2)]
    assert query(
        warehouse, f"select count(*) from raw_git.commits where commit_sha = '{api.shas['w1']}'"
    ) == [(0,)]


def test_release_tag_pattern_is_configurable(tmp_path, repos):
    warehouse = tmp_path / "w.duckdb"
    load_git([repos["api"].path], warehouse, SALT, LOADED_AT, release_tag_pattern=r"^v1\.")
    assert query(warehouse, "select tag_name from raw_git.tags") == [("v1.0.0",)]
    with pytest.raises(OutcomesError, match=r"release tag pattern '\(' is not a valid"):
        load_git([repos["api"].path], warehouse, SALT, LOADED_AT, release_tag_pattern="(")


@pytest.mark.parametrize(
    "case", ["plain folder", "missing", "inside a repository", "file", "empty repository"]
)
def test_unreadable_paths_fail_clearly_naming_the_path(tmp_path, repos, case):
    if case == "plain folder":
        path = tmp_path / "not-a-repo"
        path.mkdir()
        expected = "is not a git repository"
    elif case == "missing":
        path, expected = tmp_path / "nowhere", "does not exist"
    elif case == "inside a repository":
        path = tmp_path / "copy" / "sub"
        shutil.copytree(repos["web"].path, tmp_path / "copy")
        path.mkdir()
        expected = "is not a git repository"
    elif case == "file":
        path = tmp_path / "a.txt"
        path.write_text("x")
        expected = "is not a folder"
    else:
        path, expected = init_repo(tmp_path / "empty").path, "has no commits"
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(OutcomesError, match=expected) as error:
        load_git([repos["web"].path, path], warehouse, SALT, LOADED_AT)
    assert str(path) in str(error.value)
    assert not warehouse.exists()  # nothing was written


def test_two_repositories_with_one_name_are_refused(tmp_path, repos):
    shutil.copytree(repos["web"].path, tmp_path / "web")
    with pytest.raises(OutcomesError, match="both resolve to the name 'acme/web'"):
        load_git([repos["web"].path, tmp_path / "web"], tmp_path / "w.duckdb", SALT, LOADED_AT)


def test_dlt_replaces_by_repository_only(loaded):
    """Publishing replaces by the merge key alone. With a primary key as well,
    a delete `where key matches OR repository matches` is a rows x rows join
    in DuckDB: a reload of 50,000 commits then wrote tens of GB of temp files."""
    import dlt

    from pipelines.common.load import candidate_dataset, merge_keys, pipelines_dir
    from pipelines.git import DATASET

    warehouse, _ = loaded
    pipeline = dlt.attach(
        f"outcomes_git_{candidate_dataset(DATASET)}", pipelines_dir=str(pipelines_dir(warehouse))
    )
    for name in ("commits", "pull_requests", "pull_request_commits", "tags", "repositories"):
        columns = pipeline.default_schema.tables[name]["columns"]
        assert merge_keys(pipeline, name) == ("merge_key", ["repository_name"])
        assert not [c for c, spec in columns.items() if spec.get("primary_key")]
        assert columns["repository_name"]["nullable"] is False


def test_load_source_reads_a_folder_of_clones_like_any_source(tmp_path, repos):
    """`outcomes.yml` `git: {path: FOLDER}` goes through the same load_source
    as every file-export source."""
    from outcomes.config import SourceConfig
    from pipelines.common.load import load_source

    folder = tmp_path / "src"
    folder.mkdir()
    for name in ("api", "web"):
        shutil.copytree(repos[name].path, folder / name)
    (folder / "notes").mkdir()  # not a repository: skipped
    warehouse = tmp_path / "w.duckdb"
    result = load_source(SourceConfig("git", folder), warehouse, SALT, LOADED_AT)
    assert result.rows_landed == 25
    assert query(
        warehouse, "select repository_name, count(*) from raw_git.commits group by 1 order by 1"
    ) == [("acme/api", 12), ("acme/web", 2)]


def test_an_empty_folder_declares_the_tables_empty_with_their_types(tmp_path):
    """What `declare_unconfigured_sources` needs so dbt can build the git
    staging models when no repository is configured."""
    from outcomes.config import SourceConfig
    from pipelines.common.load import load_source

    (tmp_path / "none").mkdir()
    warehouse = tmp_path / "w.duckdb"
    result = load_source(SourceConfig("git", tmp_path / "none"), warehouse, SALT, LOADED_AT)
    assert result.rows_landed == 0
    assert all(not read.files for read in result.reads)
    assert query(warehouse, "select count(*) from raw_git.commits") == [(0,)]
    types = dict(
        query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_git' and table_name = 'tags'",
        )
    )
    assert types == {
        "repository_name": "VARCHAR",
        "tag_name": "VARCHAR",
        "commit_sha": "VARCHAR",
        "is_annotated": "BOOLEAN",
        "tagged_at": "TIMESTAMP",
        "tagger_person_key": "VARCHAR",
        "_outcomes_loaded_at": "TIMESTAMP",
    }


def test_a_folder_without_any_repository_fails_naming_it(tmp_path):
    from pipelines.git import repositories_in

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "readme.txt").write_text("x")
    with pytest.raises(OutcomesError, match="no folder directly inside it is one") as error:
        repositories_in(tmp_path / "docs")
    assert str(tmp_path / "docs") in str(error.value)


def test_since_and_until_window_like_the_other_sources(repos):
    from pipelines.git import read_tables
    from pipelines.git.reader import read_repositories

    reads = {
        r.table.name: r
        for r in read_tables(
            read_repositories([repos["api"].path]),
            SALT,
            LOADED_AT,
            since="2026-03-04",
            until="2026-03-06",
        )
    }
    s = repos["api"].shas
    assert set(reads["commits"].data.column("commit_sha").to_pylist()) == {s["M7"], s["S8"]}
    assert reads["tags"].data.column("tag_name").to_pylist() == ["v1.0.0"]


def test_commits_and_tags_of_erased_people_do_not_land(tmp_path, repos):
    """Grace (author and committer of api's w1 and of web's two commits) and Eve
    (tagger of v1.0.0) are on the erasure list: those 3 commits and that tag do
    not land, counted as erased; the other 11 commits and 2 tags do."""
    import duckdb

    from outcomes.privacy.erasures import record_erasures
    from outcomes.warehouse import ensure_warehouse

    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(warehouse))
    record_erasures(con, [key(GRACE), key(EVE)], SALT)
    con.close()

    result = load_git([repos["api"].path, repos["web"].path], warehouse, SALT, LOADED_AT)

    erased = {read.table.name: read.erased for read in result.reads}
    assert erased == {
        "commits": 3,
        "pull_requests": 0,
        "pull_request_commits": 0,
        "tags": 1,
        "repositories": 0,
    }
    assert query(warehouse, "select count(*) from raw_git.commits") == [(11,)]
    people = query(
        warehouse,
        "select distinct author_person_key from raw_git.commits "
        "union select committer_person_key from raw_git.commits "
        "union select tagger_person_key from raw_git.tags",
    )
    assert {key(GRACE), key(EVE)}.isdisjoint({p for (p,) in people})
    assert [t for (t,) in query(warehouse, "select tag_name from raw_git.tags order by 1")] == [
        "1.2",
        "v0.9.0",
    ]
