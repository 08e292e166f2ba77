"""The file-export loader end to end through dlt into a real DuckDB file.

Hand-written GitHub export lines; every expected number below is counted by
hand from them.
"""

import datetime as dt
import json

import duckdb
import pytest

from outcomes.config import SourceConfig
from outcomes.privacy.pseudonym import pseudonymize
from outcomes.warehouse import ensure_warehouse
from pipelines.common.load import load_source

SALT = b"loader-test-salt-0123456789"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)


def pr(id_, created, updated, **extra):
    record = {
        "id": id_,
        "number": id_ - 100,
        "title": f"Secret project title {id_}",
        "body": "Body text that must never land",
        "state": "open",
        "draft": False,
        "user": {"login": "ada-l", "id": 9, "type": "User"},
        "head": {"ref": "ada/feature"},
        "base": {"ref": "main", "repo": {"full_name": "acme/api"}},
        "labels": [{"name": "bug"}, {"name": "p1"}],
        "additions": 10,
        "deletions": 2,
        "changed_files": 1,
        "merge_commit_sha": None,
        "created_at": created,
        "updated_at": updated,
        "closed_at": None,
        "merged_at": None,
    }
    record.update(extra)
    return json.dumps(record)


LINES = [
    pr(101, "2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z"),  # 1 ok
    pr(
        102,
        "2026-05-04T11:00:00+02:00",
        "2026-05-05T09:00:00Z",
        merged_at="2026-05-05T09:00:00Z",
        title='Revert "Add x"',
    ),  # 2 newest 102
    pr(102, "2026-05-04T11:00:00+02:00", "2026-05-04T12:00:00Z"),  # 3 older 102, out of order
    pr(103, "not-a-date", "2026-05-04T10:00:00Z"),  # 4 unparsable
    json.dumps(
        {
            "number": 4,
            "base": {"repo": {"full_name": "acme/api"}},
            "created_at": "2026-05-04T09:00:00Z",
        }
    ),  # 5 missing id
    "{this is not json",  # 6 invalid JSON
    pr(101, "2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z"),  # 7 exact duplicate of 1
    pr(104, "2026-05-06T09:00:00Z", "2026-05-06T09:00:00Z", surprise_field="x"),  # 8 new column
]


@pytest.fixture
def loaded(tmp_path):
    export = tmp_path / "github"
    export.mkdir()
    (export / "pull_requests.jsonl").write_text("\n".join(LINES) + "\n")
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    result = load_source(SourceConfig("github", export), warehouse, SALT, LOADED_AT)
    return tmp_path, warehouse, result


def query(warehouse, sql):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_counts_quarantine_dedup_and_new_columns(loaded):
    _, warehouse, result = loaded
    pulls = next(r for r in result.reads if r.table.name == "pull_requests")
    assert pulls.records_read == 8  # 7 JSON records + 1 invalid line
    assert pulls.data.num_rows == 3  # 101, 102, 104
    assert pulls.duplicates_dropped == 2  # line 3 (older 102) and line 7 (copy of 101)
    assert result.quarantined == 3
    assert result.new_columns == {"pull_requests.jsonl": ["surprise_field"]}
    assert query(warehouse, "select pull_request_id from raw_github.pull_requests order by 1") == [
        (101,),
        (102,),
        (104,),
    ]
    assert query(
        warehouse,
        "select record_number, field_name, reason, bad_value from quarantine.records order by 1",
    ) == [
        (4, "created_at", "unparsable timestamp", "not-a-date"),
        (5, "pull_request_id", "missing required field", None),
        (6, "<record>", "invalid JSON", None),
    ]


def test_newest_version_wins_and_time_is_utc(loaded):
    _, warehouse, _ = loaded
    row = query(
        warehouse,
        "select created_at, merged_at, is_revert, label_names "
        "from raw_github.pull_requests where pull_request_id = 102",
    )[0]
    # 11:00 at +02:00 is 09:00 UTC; the newer delivery (line 2) carries merged_at
    assert row == (dt.datetime(2026, 5, 4, 9, 0), dt.datetime(2026, 5, 5, 9, 0), True, "bug|p1")


def test_people_identifiers_are_pseudonymized_and_text_never_lands(loaded):
    _, warehouse, _ = loaded
    keys = query(warehouse, "select distinct author_user_key from raw_github.pull_requests")
    assert keys == [(pseudonymize("ada-l", SALT, "account", "github"),)]
    dump = str(query(warehouse, "select * from raw_github.pull_requests"))
    dump += str(query(warehouse, "select * from quarantine.records"))
    for secret in ("ada-l", "ada/feature", "Secret project title", "Body text", "surprise"):
        assert secret not in dump


def test_loading_the_same_export_again_changes_nothing(loaded):
    tmp_path, warehouse, _ = loaded
    before = query(
        warehouse, "select * exclude (_outcomes_loaded_at) from raw_github.pull_requests order by 1"
    )
    # unchanged files are not read again (pipelines.common.export_state) ...
    skipped = load_source(SourceConfig("github", tmp_path / "github"), warehouse, SALT, LOADED_AT)
    assert skipped.unchanged and skipped.records_read == 0
    # ... and read whole on --full-refresh, to the same rows
    again = load_source(
        SourceConfig("github", tmp_path / "github", full_refresh=True), warehouse, SALT, LOADED_AT
    )
    after = query(
        warehouse, "select * exclude (_outcomes_loaded_at) from raw_github.pull_requests order by 1"
    )
    assert after == before
    assert again.quarantined == 3
    assert query(warehouse, "select count(*) from quarantine.records") == [(3,)]


def test_tables_without_a_file_exist_empty_with_their_types(loaded):
    _, warehouse, _ = loaded
    assert query(warehouse, "select count(*) from raw_github.reviews") == [(0,)]
    types = dict(
        query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_github' and table_name = 'reviews'",
        )
    )
    assert types["submitted_at"] == "TIMESTAMP"
    assert types["review_id"] == "BIGINT"


def test_time_window_keeps_only_records_inside(tmp_path):
    export = tmp_path / "github"
    export.mkdir()
    (export / "pull_requests.jsonl").write_text("\n".join(LINES) + "\n")
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    result = load_source(
        SourceConfig("github", export, since="2026-05-05"), warehouse, SALT, LOADED_AT
    )
    pulls = next(r for r in result.reads if r.table.name == "pull_requests")
    assert pulls.data.column("pull_request_id").to_pylist() == [104]
    assert pulls.outside_window == 4  # lines 1, 2, 3, 7 were created on May 4


def test_rows_of_an_erased_person_do_not_land_and_are_counted_as_erased(tmp_path):
    """Two authors; grace-h is on the erasure list: her 2 pull requests (lines 2
    and 3) are dropped and counted as erased, not quarantined; ada's land (204
    is quarantined for its own unparsable timestamp)."""
    from outcomes.privacy.erasures import ERASURES_TABLE, record_erasures

    grace = {"user": {"login": "grace-h", "id": 7, "type": "User"}}
    lines = [
        pr(201, "2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z"),
        pr(202, "2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z", **grace),
        pr(203, "2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z", **grace),
        pr(204, "2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z", closed_at="yesterday"),
    ]
    export = tmp_path / "github"
    export.mkdir()
    (export / "pull_requests.jsonl").write_text("\n".join(lines) + "\n")
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(warehouse))
    assert record_erasures(con, [pseudonymize("grace-h", SALT, "account", "github")], SALT) == 1
    stored = con.execute(f"select erasure_token from {ERASURES_TABLE}").fetchall()
    con.close()
    assert stored and "grace" not in str(stored)

    result = load_source(SourceConfig("github", export), warehouse, SALT, LOADED_AT)

    pulls = next(r for r in result.reads if r.table.name == "pull_requests")
    assert (pulls.records_read, pulls.data.num_rows, pulls.erased) == (4, 1, 2)
    assert result.quarantined == 1  # ada's 204 (unparsable closed_at), not grace's
    assert query(warehouse, "select pull_request_id from raw_github.pull_requests") == [(201,)]
