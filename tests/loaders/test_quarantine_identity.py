"""Quarantine names a bad record by its key, not its line: a line added above it
does not count it twice, and a record fixed in the next export leaves quarantine
(issue 14)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from outcomes.config import SourceConfig
from pipelines.common.load import load_source

SALT = b"quarantine-test-salt-0123456789ab"


def _pr(id_: int, created: str) -> str:
    return json.dumps(
        {
            "id": id_,
            "number": id_,
            "state": "open",
            "user": {"login": "ada-l"},
            "base": {"ref": "main", "repo": {"full_name": "acme/api"}},
            "created_at": created,
            "updated_at": created,
        }
    )


def _load(export, warehouse, lines: list[str], day: int):
    (export / "pull_requests.jsonl").write_text("\n".join(lines) + "\n")
    loaded_at = dt.datetime(2026, 6, day, 12, 0, 0)
    return load_source(SourceConfig("github", export), warehouse, SALT, loaded_at)


def _quarantine(warehouse) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select record_key, field_name, record_number from quarantine.records "
            "where table_name = 'pull_requests' order by all"
        ).fetchall()
    finally:
        con.close()


def test_a_bad_record_is_one_record_wherever_it_sits_and_leaves_once_fixed(tmp_path):
    export = tmp_path / "github"
    export.mkdir()
    warehouse = tmp_path / "w.duckdb"
    bad = _pr(2, "not-a-date").replace('"updated_at": "not-a-date"', '"updated_at": null')
    _load(export, warehouse, [_pr(1, "2026-05-01T09:00:00Z"), bad], day=1)
    assert _quarantine(warehouse) == [("2", "created_at", 2)]
    # a new record above it: the same bad record, now on line 3
    _load(
        export,
        warehouse,
        [_pr(3, "2026-05-02T09:00:00Z"), _pr(1, "2026-05-01T09:00:00Z"), bad],
        day=2,
    )
    assert _quarantine(warehouse) == [("2", "created_at", 3)]
    # fixed in the next export: it lands and quarantine forgets it
    _load(
        export, warehouse, [_pr(1, "2026-05-01T09:00:00Z"), _pr(2, "2026-05-03T09:00:00Z")], day=3
    )
    assert _quarantine(warehouse) == []
