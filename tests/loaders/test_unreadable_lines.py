"""A byte that is not UTF-8 quarantines its record, with its own line number; the
load goes on and the message names no value (issue 14)."""

from __future__ import annotations

import datetime as dt

from outcomes.config import SourceConfig
from pipelines.common.load import load_source

SALT = b"unreadable-test-salt-0123456789ab"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)


def test_a_bad_byte_quarantines_only_its_record(tmp_path):
    export = tmp_path / "github"
    export.mkdir()
    (export / "users.jsonl").write_bytes(
        b'{"login": "ada-l", "type": "User"}\n'
        b"\n"
        b'{"login": "b\xff\xfeob", "type": "User"}\n'
        b'{"login": "cy", "type": "User"}\n'
    )
    load = load_source(SourceConfig("github", export), tmp_path / "w.duckdb", SALT, LOADED_AT)
    assert load.published
    assert load.rows_read_by_table["users"] == 2
    (read,) = [r for r in load.reads if r.table.name == "users"]
    rows = read.quarantine.to_pylist()
    assert [(r["file_name"], r["record_number"], r["reason"]) for r in rows] == [
        ("users.jsonl", 3, "not valid UTF-8 text")
    ]
    assert rows[0]["bad_value"] is None and rows[0]["record_key"] is None
