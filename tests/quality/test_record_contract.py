"""The record contract of a policy, checked at ingest (pipelines.common.reader):
a record with a timestamp or date out of its range, a value outside its
vocabulary or an unknown time zone is quarantined by itself, naming file,
record, key, field and reason; the other records land (issue 14).

Hand-written records read through `read_records` (the in-memory path the
export reader shares).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from outcomes.errors import OutcomesError
from pipelines.common.load import source_module
from pipelines.common.policy import load_policy
from pipelines.common.reader import NOT_TEXT, read_records

SALT = b"record-contract-salt-0123456789"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)
GITHUB = source_module("github").policy
ROSTER = source_module("roster").policy
ZENDESK = source_module("zendesk").policy


def pr(id_: int, **changes) -> dict:
    record = {
        "id": id_,
        "number": id_ - 100,
        "state": "open",
        "user": {"login": "ada-l", "id": 9},
        "base": {"ref": "main", "repo": {"full_name": "acme/api"}},
        "created_at": "2026-05-04T09:00:00Z",
        "updated_at": "2026-05-04T10:00:00Z",
        "closed_at": None,
        "merged_at": None,
    }
    record.update(changes)
    return record


def read(table, source: str, records: list[dict], origin: str = "pull_requests.jsonl"):
    texts = [json.dumps(r) for r in records]
    return read_records(table, source, [(origin, texts)], SALT, LOADED_AT)


def quarantined(result) -> list[tuple]:
    return [
        (r["file_name"], r["record_number"], r["record_key"], r["field_name"], r["reason"])
        for r in result.quarantine.to_pylist()
    ]


def test_out_of_range_timestamps_and_unknown_values_quarantine_only_their_record():
    result = read(
        GITHUB.table("pull_requests"),
        "github",
        [
            pr(101),
            pr(102, created_at="9999-12-31T00:00:00Z"),  # a "never" sentinel
            pr(103, updated_at="0001-01-01T00:00:00Z"),  # an unset .NET DateTime
            pr(104, state="reopened_by_bot"),
            pr(105, closed_at="1970-01-01T00:00:00Z"),  # epoch zero: an unset number
            pr(106, merged_at="2026-06-02T11:59:00Z"),  # within a day of the load: clock skew
            pr(107, merged_at="2026-06-02T12:01:00Z"),  # more than a day after it
        ],
    )
    assert sorted(result.data.column("pull_request_id").to_pylist()) == [101, 106]
    assert quarantined(result) == [
        (
            "pull_requests.jsonl",
            2,
            "102",
            "created_at",
            "timestamp more than 1 day(s) after the load",
        ),
        ("pull_requests.jsonl", 3, "103", "updated_at", "timestamp before 1970-01-02"),
        (
            "pull_requests.jsonl",
            4,
            "104",
            "state",
            "unknown value (not in the policy's values)",
        ),
        ("pull_requests.jsonl", 5, "105", "closed_at", "timestamp before 1970-01-02"),
        (
            "pull_requests.jsonl",
            7,
            "107",
            "merged_at",
            "timestamp more than 1 day(s) after the load",
        ),
    ]


def test_quarantine_never_holds_a_persons_values():
    """A person's identifier in a failing record (a login, an email) is never
    stored: not as the bad value, not as the key."""
    users = ROSTER.table("users")
    record = {
        "id": "u-2",
        "userName": "grace@acme.example",
        "timezone": "Mars/Olympus",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Core"},
        "meta": {"lastModified": "2026-05-01T00:00:00Z"},
    }
    result = read(users, "roster", [record], origin="users.jsonl")
    (row,) = result.quarantine.to_pylist()
    assert (row["field_name"], row["reason"]) == (
        "time_zone",
        "time zone the engine does not know",
    )
    assert row["bad_value"] == "Mars/Olympus"
    text = json.dumps(row, default=str)
    assert "grace" not in text and "u-2" not in text
    assert row["record_key"] not in {None, "u-2"}  # the key, pseudonymized


def test_each_field_has_its_own_range():
    """A hire date may be decades old and a few months ahead; a due date may
    lie years ahead; an account created in 1991 is real."""
    users = ROSTER.table("users")

    def user(id_: str, start: str, created: str) -> dict:
        return {
            "id": id_,
            "userName": f"{id_}@acme.example",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": "Core",
                "startDate": start,
            },
            "meta": {"created": created, "lastModified": "2026-05-01T00:00:00Z"},
        }

    result = read(
        users,
        "roster",
        [
            user("a", "1961-09-01", "1991-12-22T16:50:00Z"),
            user("b", "2027-03-01", "2026-05-01T00:00:00Z"),  # hired, starts in 9 months
            user("c", "1900-01-01", "2026-05-01T00:00:00Z"),  # an HR system's placeholder
            user("d", "2027-06-03", "2026-05-01T00:00:00Z"),  # 367 days after the load
        ],
        origin="users.jsonl",
    )
    assert result.data.num_rows == 2
    assert [
        (r["record_number"], r["field_name"], r["reason"]) for r in result.quarantine.to_pylist()
    ] == [
        (3, "employment_start_date", "date before 1950-01-01"),
        (4, "employment_start_date", "date more than 366 day(s) after the load"),
    ]

    tickets = ZENDESK.table("tickets")
    due = read(
        tickets,
        "zendesk",
        [
            {
                "id": 1,
                "status": "open",
                "created_at": "2026-05-01T00:00:00Z",
                "due_at": "2031-01-01T00:00:00Z",
            },
            {
                "id": 2,
                "status": "open",
                "created_at": "2026-05-01T00:00:00Z",
                "due_at": "2037-01-01T00:00:00Z",
            },
        ],
        origin="tickets.jsonl",
    )
    assert sorted(due.data.column("ticket_id").to_pylist()) == [1]
    assert [r["reason"] for r in due.quarantine.to_pylist()] == [
        "timestamp more than 3660 day(s) after the load"
    ]


def test_epoch_milliseconds_past_the_timestamp_range_quarantine_their_record():
    """HubSpot's epoch-ms times: a value whose microseconds overflow used to
    raise inside the reader's query and stop the whole source."""
    engagements = source_module("hubspot").policy.table("engagements")

    def engagement(id_: int, when: str) -> dict:
        return {"engagement": {"id": id_, "type": "CALL", "timestamp": when}}

    result = read(
        engagements,
        "hubspot",
        [
            engagement(1, "1780000000000"),
            engagement(2, "99999999999999999"),  # overflows int64 microseconds
            engagement(3, "253402300800000"),  # year 10000
        ],
        origin="engagements.jsonl",
    )
    assert result.data.column("engagement_id").to_pylist() == [1]
    assert [(r["record_number"], r["reason"]) for r in result.quarantine.to_pylist()] == [
        (2, "unparsable timestamp"),
        (3, "timestamp more than 1 day(s) after the load"),
    ]


def test_a_record_without_its_key_is_quarantined_not_landed(tmp_path):
    """A key the policy does not mark `required` is required all the same: a
    row without it could not be merged by key (it would fail the batch)."""
    folder = tmp_path / "tool"
    folder.mkdir()
    (folder / "policy.yml").write_text(
        """
source: tool
purpose: test
retention_days: 30
tables:
  items:
    file: items.jsonl
    primary_key: [item_id]
    columns:
      item_id: {path: id, type: bigint, action: keep}
      label: {path: label, action: keep}
"""
    )
    table = load_policy("tool", policy_dir=tmp_path).table("items")
    result = read(table, "tool", [{"id": 1, "label": "a"}, {"label": "b"}], origin="items.jsonl")
    assert result.data.column("item_id").to_pylist() == [1]
    assert [
        (r["record_number"], r["field_name"], r["reason"]) for r in quarantined_rows(result)
    ] == [(2, "item_id", "missing required field")]


def test_an_object_or_list_where_text_is_expected_is_quarantined():
    """A changed API shape (the branch name became an object or a list) is the
    record's problem: landed as its JSON text it would pass for a branch name.
    Its bad value is not kept: an object may hold anything, a person's login
    included."""
    result = read(
        GITHUB.table("pull_requests"),
        "github",
        [
            pr(
                101, base={"ref": {"name": "main", "sha": "abc"}, "repo": {"full_name": "acme/api"}}
            ),
            pr(102, base={"ref": ["main", "next"], "repo": {"full_name": "acme/api"}}),
            pr(103, base={"ref": "main", "repo": {"full_name": "acme/api"}}),
            pr(104, user={"login": {"name": "ada"}}),
        ],
    )
    assert result.data.column("pull_request_id").to_pylist() == [103]
    assert result.data.column("base_branch").to_pylist() == ["main"]
    assert [
        (r["record_number"], r["field_name"], r["reason"], r["bad_value"])
        for r in quarantined_rows(result)
    ] == [
        (1, "base_branch", NOT_TEXT, None),
        (2, "base_branch", NOT_TEXT, None),
        (4, "author_user_key", NOT_TEXT, None),
    ]


def test_null_values_of_a_table_read_as_null_before_every_rule(tmp_path):
    """`null_values: ['?']` (ServiceNow's export): a `?` is no value, so it is
    neither a person's pseudonym nor an unparsable number, and a required
    field holding it is missing."""
    folder = tmp_path / "tool"
    folder.mkdir()
    (folder / "policy.yml").write_text(
        """
source: tool
purpose: test
retention_days: 30
tables:
  items:
    file: items.jsonl
    primary_key: [item_id]
    null_values: ['?', 'n/a']
    columns:
      item_id: {path: id, action: keep, required: true}
      owner_key: {path: owner, action: pseudonymize, kind: account}
      count: {path: count, type: bigint, action: keep}
      label: {path: label, action: keep}
      opened_at: {path: opened, type: timestamp, action: keep, required: true}
"""
    )
    table = load_policy("tool", policy_dir=tmp_path).table("items")
    result = read(
        table,
        "tool",
        [
            {"id": "1", "owner": "?", "count": "?", "label": "n/a", "opened": "2026-05-01"},
            {"id": "2", "owner": "Ada", "count": "3", "label": "?x", "opened": "2026-05-01"},
            {"id": "3", "owner": "Ada", "count": "3", "label": "x", "opened": "?"},
        ],
        origin="items.jsonl",
    )
    rows = result.data.sort_by("item_id").to_pylist()
    assert [(r["item_id"], r["owner_key"], r["count"], r["label"]) for r in rows] == [
        ("1", None, None, None),
        ("2", rows[1]["owner_key"], 3, "?x"),
    ]
    assert rows[1]["owner_key"] not in {None, "Ada"}
    assert [(r["record_key"], r["field_name"], r["reason"]) for r in quarantined_rows(result)] == [
        ("3", "opened_at", "missing required field")
    ]


def quarantined_rows(result) -> list[dict]:
    return result.quarantine.to_pylist()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("earliest: someday", "`earliest` must be a date like 1950-01-01"),
        ("ahead_days: -3", "`ahead_days` must be a whole number of days"),
        ("values: {seed: no_such_seed, column: x}", "`values`: no seed 'no_such_seed'"),
        ("values: {seed: status_mappings, column: source_status}", "has no rows for"),
        ("values: 7", "`values` takes a list"),
    ],
)
def test_a_wrong_record_rule_names_file_table_and_column(tmp_path: Path, setting, message):
    folder = tmp_path / "tool"
    folder.mkdir()
    kind = "timestamp" if "earliest" in setting or "ahead" in setting else "string"
    (folder / "policy.yml").write_text(
        f"""
source: tool
purpose: test
retention_days: 30
tables:
  items:
    file: items.jsonl
    primary_key: [item_id]
    columns:
      item_id: {{path: id, action: keep, required: true}}
      field: {{path: f, type: {kind}, action: keep, {setting}}}
"""
    )
    with pytest.raises(OutcomesError) as caught:
        load_policy("tool", policy_dir=tmp_path)
    assert "table 'items', column 'field'" in str(caught.value)
    assert message in str(caught.value)
