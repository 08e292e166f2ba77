"""A load lands in candidate schemas; only a batch that passes the quality
gate is published to raw (pipelines.common.load). Hand-written GitHub export lines."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from outcomes.config import SourceConfig
from outcomes.warehouse import ensure_warehouse
from pipelines.common.load import candidate_dataset, load_source, source_module

SALT = b"gate-test-salt-0123456789"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)
NOW = dt.datetime(2026, 6, 1, 13, 0, 0)


def pr(id_: int, state: str = "open", updated: str = "2026-05-04T10:00:00Z") -> str:
    return json.dumps(
        {
            "id": id_,
            "number": id_ - 100,
            "state": state,
            "draft": False,
            "user": {"login": "ada-l", "id": 9, "type": "User"},
            "base": {"ref": "main", "repo": {"full_name": "acme/api"}},
            "created_at": "2026-05-04T09:00:00Z",
            "updated_at": updated,
            "closed_at": None,
            "merged_at": None,
        }
    )


def query(warehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def schemas(warehouse) -> set[str]:
    return {s for (s,) in query(warehouse, "select schema_name from information_schema.schemata")}


@pytest.fixture
def export(tmp_path):
    folder = tmp_path / "github"
    folder.mkdir()
    return folder


def load(export, warehouse, lines: list[str]):
    (export / "pull_requests.jsonl").write_text("\n".join(lines) + "\n")
    return load_source(SourceConfig("github", export), warehouse, SALT, LOADED_AT, now=NOW)


def test_a_good_batch_is_published_and_its_candidate_dropped(tmp_path, export):
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    result = load(export, warehouse, [pr(101), pr(102), "{broken json"])
    assert result.published and result.failed_gates == []
    assert query(warehouse, "select pull_request_id from raw_github.pull_requests order by 1") == [
        (101,),
        (102,),
    ]
    assert not [s for s in schemas(warehouse) if s.startswith("candidate")]
    # quarantine still receives the broken line of a published batch
    assert query(warehouse, "select record_number, reason from quarantine.records") == [
        (3, "invalid JSON")
    ]
    # every table of the source was judged: one gate per table of its policy
    assert len(result.gates) == len(source_module("github").policy.tables) == 8


def test_a_broken_batch_never_reaches_raw(tmp_path, export):
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    load(export, warehouse, [pr(101), pr(102)])
    before = query(warehouse, "select * from raw_github.pull_requests order by 1")

    # PR 102 comes back in a state GitHub does not have; PR 103 is new
    broken = [pr(101), pr(102, "reopened_by_bot", "2026-05-05T10:00:00Z"), pr(103)]
    result = load(export, warehouse, broken)

    assert not result.published
    assert query(warehouse, "select * from raw_github.pull_requests order by 1") == before
    # staging views read raw: they cannot see the batch either
    assert query(warehouse, "select count(*) from raw_github.pull_requests") == [(2,)]
    # the batch stays in its candidate for inspection, all three rows
    assert query(
        warehouse,
        f"select pull_request_id, state from {candidate_dataset('raw_github')}.pull_requests "
        "order by 1",
    ) == [(101, "open"), (102, "reopened_by_bot"), (103, "open")]
    report = result.gate_report()
    assert report.startswith("source 'github': quality gate FAILED; raw tables untouched")
    assert "candidate_raw_github" in report
    assert (
        "raw_github.pull_requests [gx_suite]: expect_column_values_to_be_in_set on state "
        "failed for 1 row(s), e.g. ['reopened_by_bot']; failing records: pull_request_id=102"
    ) in report
    assert [g.table for g in result.failed_gates] == ["pull_requests"]
    # nothing of the failed batch was quarantined or published elsewhere
    assert "quarantine" not in schemas(warehouse)


def test_the_next_good_batch_publishes_and_replaces_the_candidate(tmp_path, export):
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    load(export, warehouse, [pr(101), pr(102)])
    assert not load(export, warehouse, [pr(102, "reopened_by_bot")]).published
    fixed = load(export, warehouse, [pr(102, "closed", "2026-05-06T10:00:00Z"), pr(103)])
    assert fixed.published
    assert query(
        warehouse, "select pull_request_id, state from raw_github.pull_requests order by 1"
    ) == [(101, "open"), (102, "closed"), (103, "open")]
    assert candidate_dataset("raw_github") not in schemas(warehouse)


def test_a_collapsed_batch_is_not_published(tmp_path, export):
    """The row-count gate: 30 PRs, then 10 (< 50% of the last good load)."""
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    assert load(export, warehouse, [pr(100 + i) for i in range(1, 31)]).published
    result = load(export, warehouse, [pr(200 + i) for i in range(1, 11)])
    assert not result.published
    assert query(warehouse, "select count(*) from raw_github.pull_requests") == [(30,)]
    assert (
        "raw_github.pull_requests [row_count_stable]: raw_github.pull_requests: 10 rows read, "
        "last good load read 30"
    ) in result.gate_report()


def test_a_failed_roster_keeps_no_emails_outside_identity(tmp_path):
    """The roster writes raw_roster and identity: when its gate fails, the raw
    candidate stays for inspection but the identity candidate (emails) is dropped."""
    export = tmp_path / "roster"
    export.mkdir()
    users = [
        {
            "id": f"u{i}",
            "userName": f"person{i}@acme.example",
            "displayName": f"Person {i}",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Core"},
            # a creation time of 1970: the users suite fails on created_at
            "meta": {"created": "1970-01-01T00:00:00Z", "lastModified": "2026-05-01T00:00:00Z"},
        }
        for i in (1, 2)
    ]
    (export / "users.jsonl").write_text("\n".join(json.dumps(u) for u in users) + "\n")
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    result = load_source(SourceConfig("roster", export), warehouse, SALT, LOADED_AT, now=NOW)
    assert not result.published
    assert [(g.dataset, g.table) for g in result.failed_gates] == [("raw_roster", "users")]
    found = schemas(warehouse)
    assert candidate_dataset("raw_roster") in found
    assert [s for s in found if s.startswith("candidate")] == [candidate_dataset("raw_roster")]
    assert {"raw_roster", "identity"}.isdisjoint(found)
    assert "kept in candidate_raw_roster for inspection" in result.gate_report()
    assert "created_at failed for 2 row(s)" in result.gate_report()
