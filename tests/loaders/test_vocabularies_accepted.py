"""The loader accepts every value the models map (issue 12, Support): a
Zendesk export with a deleted ticket, an `on-hold` status and a
`good_with_comment` rating loads whole, and the values reach staging mapped.
The vocabularies are the seeds the models map with (status_mappings,
satisfaction_scores), named by the policy: one list each."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from outcomes.build import run_dbt
from outcomes.config import WAREHOUSE_ENV, SourceConfig
from outcomes.warehouse import ensure_warehouse
from pipelines.common.load import declare_unconfigured_sources, load_source, source_module
from pipelines.common.policy import SEEDS_DIR

SALT = b"vocabulary-test-salt-0123456789"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)
NOW = dt.datetime(2026, 6, 1, 13, 0, 0)


def ticket(id_: int, status: str) -> dict:
    return {
        "id": id_,
        "status": status,
        "priority": "normal",
        "type": "question",
        "via": {"channel": "email"},
        "requester_id": 500 + id_,
        "assignee_id": 42,
        "group_id": 7,
        "tags": [],
        "created_at": "2026-05-04T09:00:00Z",
        "updated_at": "2026-05-05T09:00:00Z",
    }


def write(folder: Path, name: str, records: list[dict]) -> None:
    (folder / name).write_text("\n".join(json.dumps(r) for r in records) + "\n")


def test_seed_vocabularies_are_the_policys(tmp_path):
    """The policy reads its vocabularies from the seeds: a value added to a seed
    is accepted by the loader without touching Python."""
    policy = source_module("zendesk").policy
    with (SEEDS_DIR / "status_mappings.csv").open() as handle:
        statuses = {
            r["source_status"].lower()
            for r in csv.DictReader(handle)
            if r["source_system"] == "zendesk"
        }
    assert set(policy.table("tickets").column("ticket_status").values) == statuses
    assert {"deleted", "on-hold", "hold"} <= statuses
    scores = policy.table("satisfaction_ratings").column("score").values
    assert {"good_with_comment", "bad_with_comment", "offered"} <= set(scores)


def test_a_zendesk_export_with_every_mapped_value_loads_and_reaches_staging(tmp_path):
    export = tmp_path / "zendesk"
    export.mkdir()
    write(export, "users.jsonl", [{"id": 42, "email": "agent@acme.example", "role": "agent"}])
    write(
        export,
        "tickets.jsonl",
        [ticket(1, "open"), ticket(2, "deleted"), ticket(3, "on-hold"), ticket(4, "Solved ")],
    )
    write(
        export,
        "ticket_audits.jsonl",
        [
            {
                "id": 900,
                "ticket_id": 3,
                "author_id": 42,
                "created_at": "2026-05-04T10:00:00Z",
                "events": [
                    {
                        "id": 9001,
                        "type": "Change",
                        "field_name": "status",
                        "value": "on-hold",
                        "previous_value": "open",
                    }
                ],
            }
        ],
    )
    write(
        export,
        "satisfaction_ratings.jsonl",
        [
            {
                "id": 70 + i,
                "ticket_id": i,
                "score": score,
                "assignee_id": 42,
                "comment": "kind words" if "comment" in score else None,
                "created_at": "2026-05-05T09:00:00Z",
            }
            for i, score in [(1, "good_with_comment"), (2, "bad"), (3, "offered")]
        ],
    )
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    load = load_source(SourceConfig("zendesk", export), warehouse, SALT, LOADED_AT, now=NOW)
    assert load.published, load.gate_report()
    assert load.quarantined == 0
    declare_unconfigured_sources({"zendesk"}, warehouse, SALT, LOADED_AT)
    previous = os.environ.get(WAREHOUSE_ENV)
    try:
        run_dbt(
            [
                "build",
                "--select",
                "status_mappings satisfaction_scores stg_zendesk__tickets "
                "stg_zendesk__satisfaction_ratings stg_zendesk__ticket_audit_events",
            ],
            warehouse,
            5,
        )
    finally:
        if previous is None:
            os.environ.pop(WAREHOUSE_ENV, None)
        else:
            os.environ[WAREHOUSE_ENV] = previous
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tickets = con.execute(
            "select ticket_id, ticket_status from staging.stg_zendesk__tickets order by 1"
        ).fetchall()
        ratings = con.execute(
            "select ticket_id, score, rating from staging.stg_zendesk__satisfaction_ratings "
            "order by 1"
        ).fetchall()
        events = con.execute(
            "select previous_value, new_value from staging.stg_zendesk__ticket_audit_events"
        ).fetchall()
        mapped = con.execute(
            "select lower(source_status), canonical_state from seeds.status_mappings "
            "where source_system = 'zendesk' and lower(source_status) in "
            "('deleted', 'hold', 'on-hold')"
        ).fetchall()
    finally:
        con.close()
    assert tickets == [(1, "open"), (2, "deleted"), (3, "hold"), (4, "solved")]
    assert ratings == [(1, "good_with_comment", "good"), (2, "bad", "bad"), (3, "offered", None)]
    assert events == [("open", "hold")]
    assert sorted(mapped) == [("deleted", "canceled"), ("hold", "blocked"), ("on-hold", "blocked")]


def test_a_score_no_seed_knows_is_quarantined_alone(tmp_path):
    export = tmp_path / "zendesk"
    export.mkdir()
    write(export, "tickets.jsonl", [ticket(1, "open"), ticket(2, "escalated")])
    write(
        export,
        "satisfaction_ratings.jsonl",
        [
            {"id": 71, "ticket_id": 1, "score": "meh", "created_at": "2026-05-05T09:00:00Z"},
            {"id": 72, "ticket_id": 1, "score": "good", "created_at": "2026-05-05T10:00:00Z"},
        ],
    )
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    load = load_source(SourceConfig("zendesk", export), warehouse, SALT, LOADED_AT, now=NOW)
    assert load.published, load.gate_report()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        quarantined = con.execute(
            "select table_name, record_number, record_key, field_name, reason "
            "from quarantine.records order by 1"
        ).fetchall()
        landed = con.execute("select rating_id from raw_zendesk.satisfaction_ratings").fetchall()
    finally:
        con.close()
    assert quarantined == [
        (
            "satisfaction_ratings",
            1,
            "71",
            "score",
            "unknown value (not in seeds/vocabularies/satisfaction_scores.csv)",
        ),
        ("tickets", 2, "2", "ticket_status", "unknown value (not in seeds/status_mappings.csv)"),
    ]
    assert landed == [(72,)]
