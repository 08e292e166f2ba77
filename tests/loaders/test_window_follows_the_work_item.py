"""`since`/`until` apply to the work item: a pull request inside the window keeps
its older commits and reviews; one outside it brings none of its children, even
those dated inside the window (hand-written GitHub export)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from outcomes.config import SourceConfig
from pipelines.common.load import load_source

SALT = b"window-test-salt-0123456789abcdef"
LOADED_AT = dt.datetime(2026, 6, 1, 12, 0, 0)
NOW = dt.datetime(2026, 6, 1, 13, 0, 0)


def _pr(id_: int, created: str) -> dict:
    return {
        "id": id_,
        "number": id_,
        "state": "closed",
        "user": {"login": "ada-l"},
        "base": {"ref": "main", "repo": {"full_name": "acme/api"}},
        "created_at": created,
        "updated_at": created,
    }


def _write(folder, name: str, records: list[dict]) -> None:
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records))


def test_children_follow_their_pull_request(tmp_path):
    export = tmp_path / "github"
    export.mkdir()
    # PR 1 opened inside the window [2026-05-01, ...), its first commit before it;
    # PR 2 opened before the window, reviewed inside it.
    _write(
        export,
        "pull_requests.jsonl",
        [_pr(1, "2026-05-03T09:00:00Z"), _pr(2, "2026-04-20T09:00:00Z")],
    )
    _write(
        export,
        "commits.jsonl",
        [
            {
                "sha": "a1",
                "pull_request_id": 1,
                "commit": {"author": {"date": "2026-04-28T09:00:00Z"}},
            },
            {
                "sha": "b1",
                "pull_request_id": 2,
                "commit": {"author": {"date": "2026-04-19T09:00:00Z"}},
            },
        ],
    )
    _write(
        export,
        "reviews.jsonl",
        [
            {
                "id": 11,
                "pull_request_id": 1,
                "state": "APPROVED",
                "submitted_at": "2026-05-03T12:00:00Z",
            },
            {
                "id": 12,
                "pull_request_id": 2,
                "state": "APPROVED",
                "submitted_at": "2026-05-02T12:00:00Z",
            },
        ],
    )
    warehouse = tmp_path / "w.duckdb"
    load = load_source(
        SourceConfig("github", export, since="2026-05-01"), warehouse, SALT, LOADED_AT, now=NOW
    )
    assert load.published
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select pull_request_id from raw_github.pull_requests").fetchall() == [
            (1,)
        ]
        assert con.execute("select commit_sha from raw_github.commits").fetchall() == [("a1",)]
        assert con.execute("select review_id from raw_github.reviews").fetchall() == [(11,)]
    finally:
        con.close()
    outside = {r.table.name: r.outside_window for r in load.reads if r.outside_window}
    assert outside == {"pull_requests": 1, "commits": 1, "reviews": 1}
    assert load.rows_read_by_table["commits"] == 1
