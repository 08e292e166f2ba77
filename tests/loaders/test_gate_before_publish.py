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


def pr(
    id_: int, state: str = "open", updated: str = "2026-05-04T10:00:00Z", branch: bool = True
) -> str:
    record = {
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
    if not branch:  # the export lost the field (`base.ref`)
        record["base"] = {"repo": {"full_name": "acme/api"}}
    return json.dumps(record)


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


def write_roster(export, count: int) -> None:
    """A SCIM roster export of `count` people of one department."""
    users = [
        {
            "id": f"u{i}",
            "userName": f"person{i}@acme.example",
            "displayName": f"Person {i}",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Core"},
            "meta": {"created": "2024-01-01T00:00:00Z", "lastModified": "2026-05-01T00:00:00Z"},
        }
        for i in range(count)
    ]
    (export / "users.jsonl").write_text("\n".join(json.dumps(u) for u in users) + "\n")


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
    assert len(result.gates) == len(source_module("github").policy.tables) == 9


def test_a_broken_batch_never_reaches_raw(tmp_path, export):
    """Schema loss: the export no longer carries a field the published table
    fills (every PR of the batch lacks `base.ref`)."""
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    load(export, warehouse, [pr(100 + i) for i in range(1, 26)])
    before = query(warehouse, "select * from raw_github.pull_requests order by 1")

    broken = [pr(100 + i, "closed", "2026-05-05T10:00:00Z", branch=False) for i in range(1, 27)]
    result = load(export, warehouse, broken)

    assert not result.published
    assert query(warehouse, "select * from raw_github.pull_requests order by 1") == before
    # staging views read raw: they cannot see the batch either
    assert query(warehouse, "select count(*) from raw_github.pull_requests") == [(25,)]
    # the batch stays in its candidate for inspection, all 26 rows
    assert query(
        warehouse,
        f"select count(*), count(base_branch) from {candidate_dataset('raw_github')}.pull_requests",
    ) == [(26, 0)]
    report = result.gate_report()
    assert report.startswith("source 'github': quality gate FAILED; raw tables untouched")
    assert "candidate_raw_github" in report
    assert (
        "raw_github.pull_requests [gx_suite]: schema loss on base_branch: null in all 26 rows "
        "of this batch, while the published table holds values"
    ) in report
    assert [g.table for g in result.failed_gates] == ["pull_requests"]
    # nothing of the failed batch was quarantined or published elsewhere
    assert "quarantine" not in schemas(warehouse)


def test_a_bad_record_is_quarantined_and_the_batch_published(tmp_path, export):
    """Issue 14: one record in a state GitHub does not have, one with a year-9999
    time: each is quarantined with its file, line, key, field and reason, and
    the rest of the batch is published."""
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    load(export, warehouse, [pr(101), pr(102)])
    broken = [
        pr(101, "closed", "2026-05-05T10:00:00Z"),
        pr(102, "reopened_by_bot", "2026-05-05T10:00:00Z"),
        pr(103, updated="9999-12-31T23:59:59Z"),
        pr(104),
    ]
    result = load(export, warehouse, broken)
    assert result.published, result.gate_report()
    assert query(
        warehouse, "select pull_request_id, state from raw_github.pull_requests order by 1"
    ) == [(101, "closed"), (102, "open"), (104, "open")]  # 102 keeps its last good row
    assert query(
        warehouse,
        "select file_name, record_number, record_key, field_name, reason "
        "from quarantine.records order by record_number",
    ) == [
        ("pull_requests.jsonl", 2, "102", "state", "unknown value (not in the policy's values)"),
        (
            "pull_requests.jsonl",
            3,
            "103",
            "updated_at",
            "timestamp more than 1 day(s) after the load",
        ),
    ]
    assert result.quarantined == 2


def test_the_next_good_batch_publishes_and_replaces_the_candidate(tmp_path, export):
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    load(export, warehouse, [pr(100 + i) for i in range(1, 26)])
    lost = [pr(100 + i, branch=False) for i in range(1, 26)]
    assert not load(export, warehouse, lost).published
    fixed = load(
        export,
        warehouse,
        [pr(102, "closed", "2026-05-06T10:00:00Z"), pr(126), *map(pr, range(103, 126))],
    )
    assert fixed.published
    assert query(
        warehouse,
        "select pull_request_id, state from raw_github.pull_requests where pull_request_id in "
        "(101, 102, 126) order by 1",
    ) == [(101, "open"), (102, "closed"), (126, "open")]
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

    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    write_roster(export, 30)
    assert load_source(
        SourceConfig("roster", export), warehouse, SALT, LOADED_AT, now=NOW
    ).published
    write_roster(export, 10)  # a truncated export: the row counts collapse
    result = load_source(SourceConfig("roster", export), warehouse, SALT, LOADED_AT, now=NOW)
    assert not result.published
    assert {(g.dataset, g.table) for g in result.failed_gates} == {
        ("raw_roster", "users"),
        ("raw_roster", "user_versions"),  # the team history reads the same export
        ("identity", "people_identity"),
    }
    found = schemas(warehouse)
    assert [s for s in found if s.startswith("candidate")] == [candidate_dataset("raw_roster")]
    assert "kept in candidate_raw_roster for inspection" in result.gate_report()
    assert "10 rows read, last good load read 30" in result.gate_report()
    assert query(warehouse, "select count(*) from identity.people_identity") == [(30,)]


def test_a_batch_that_is_not_published_sets_no_baseline(tmp_path, monkeypatch):
    """The row-count baseline is the last *published* load: a batch that passed
    the gate but failed to publish must not raise the bar for the next one."""
    import pipelines.common.load as load_module
    from outcomes.errors import OutcomesError
    from outcomes.quality.row_counts import previous_counts

    export = tmp_path / "roster"
    export.mkdir()

    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    write_roster(export, 30)
    assert load_source(
        SourceConfig("roster", export), warehouse, SALT, LOADED_AT, now=NOW
    ).published
    assert previous_counts(warehouse, "raw_roster")["users"] == 30

    def publish_fails(*args, **kwargs):
        raise OutcomesError("the disk is full")

    write_roster(export, 80)  # passes the gate (more rows), then the publish fails
    monkeypatch.setattr(load_module, "publish", publish_fails)
    with pytest.raises(OutcomesError):
        load_source(
            SourceConfig("roster", export),
            warehouse,
            SALT,
            LOADED_AT + dt.timedelta(hours=1),
            now=NOW,
        )
    monkeypatch.undo()
    assert previous_counts(warehouse, "raw_roster")["users"] == 30
    # 20 of the 30 published rows pass (at least half); judged against 80 they would not
    write_roster(export, 20)
    assert load_source(
        SourceConfig("roster", export), warehouse, SALT, LOADED_AT + dt.timedelta(hours=2), now=NOW
    ).published
