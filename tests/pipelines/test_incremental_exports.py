"""A file export that did not move is not read again; a day appended is read
alone; anything else reads the table whole; raw always ends as a full reload
from scratch would (issue 16)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import duckdb

from outcomes.config import SourceConfig
from outcomes.summary import RunSummary, render
from pipelines.common.load import load_source
from pipelines.common.policy import LOADED_AT_COLUMN

SALT = b"incremental-test-salt-0123456789a"
DAY = dt.datetime(2026, 6, 10, 12, 0, 0)


def _pr(id_: int, created: str, state: str = "open") -> str:
    return json.dumps(
        {
            "id": id_,
            "number": id_,
            "state": state,
            "user": {"login": f"dev-{id_ % 3}"},
            "base": {"ref": "main", "repo": {"full_name": "acme/api"}},
            "created_at": created,
            "updated_at": created,
        }
    )


def _day(day: int, count: int = 3) -> list[str]:
    return [_pr(day * 100 + n, f"2026-05-{day:02d}T09:{n:02d}:00Z") for n in range(count)]


def _write(export, lines: list[str], mode: str = "w") -> None:
    with (export / "pull_requests.jsonl").open(mode) as handle:
        handle.write("".join(line + "\n" for line in lines))


def _load(config: SourceConfig, warehouse, day: int = 0):
    return load_source(config, warehouse, SALT, DAY + dt.timedelta(days=day))


def _rows(warehouse) -> list[tuple]:
    """raw_github.pull_requests row for row, without the load stamp."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'raw_github' and table_name = 'pull_requests' and column_name <> ? "
                "and column_name not like '\\_dlt%' escape '\\' order by ordinal_position",
                [LOADED_AT_COLUMN],
            ).fetchall()
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        return con.execute(f"select {names} from raw_github.pull_requests order by all").fetchall()
    finally:
        con.close()


def _checksum(warehouse) -> tuple:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select count(*), sum(hash(p)) from raw_github.pull_requests as p"
        ).fetchone()
    finally:
        con.close()


def _from_scratch(tmp_path, export, name: str) -> list[tuple]:
    fresh = tmp_path / f"{name}.duckdb"
    load = _load(SourceConfig("github", export), fresh)
    assert load.published
    return _rows(fresh)


def _setup(tmp_path):
    export = tmp_path / "github"
    export.mkdir()
    _write(export, _day(1) + _day(2))
    return export, tmp_path / "w.duckdb", SourceConfig("github", export)


def test_a_rerun_with_no_change_reads_nothing_and_changes_no_row(tmp_path):
    export, warehouse, config = _setup(tmp_path)
    first = _load(config, warehouse)
    assert first.published and first.records_read == 6
    before = _checksum(warehouse)
    again = _load(config, warehouse, day=1)
    assert again.unchanged and again.records_read == 0 and again.published
    assert _checksum(warehouse) == before
    text = render(RunSummary(loads=[again]), warehouse)
    assert "github     unchanged since the last run, not re-read" in text
    # touched but the same bytes: still not read
    (export / "pull_requests.jsonl").touch()
    assert _load(config, warehouse, day=2).records_read == 0


def test_an_appended_day_reads_only_that_day_and_matches_a_full_reload(tmp_path):
    export, warehouse, config = _setup(tmp_path)
    _load(config, warehouse)
    _write(export, _day(3, count=4), mode="a")
    load = _load(config, warehouse, day=1)
    assert load.published
    assert load.records_read == 4
    assert [r.mode for r in load.reads if r.table.name == "pull_requests"] == ["partial"]
    assert _rows(warehouse) == _from_scratch(tmp_path, export, "scratch")
    assert len(_rows(warehouse)) == 10
    assert _load(config, warehouse, day=2).records_read == 0


def test_a_record_edited_in_the_middle_rereads_the_file(tmp_path):
    export, warehouse, config = _setup(tmp_path)
    _load(config, warehouse)
    lines = _day(1) + _day(2)
    lines[2] = _pr(102, "2026-05-01T09:02:00Z", state="closed")
    _write(export, lines)
    load = _load(config, warehouse, day=1)
    assert load.published and load.records_read == 6
    assert _rows(warehouse) == _from_scratch(tmp_path, export, "scratch")
    assert "closed" in {str(v) for row in _rows(warehouse) for v in row}


def test_a_record_delivered_again_in_the_appended_lines_reads_the_table_whole(tmp_path):
    export, warehouse, config = _setup(tmp_path)
    _load(config, warehouse)
    _write(export, [_pr(101, "2026-05-01T09:01:00Z", state="closed")], mode="a")
    load = _load(config, warehouse, day=1)
    assert load.published and load.records_read == 7
    assert _rows(warehouse) == _from_scratch(tmp_path, export, "scratch")


def test_a_policy_or_window_change_or_full_refresh_reads_everything(tmp_path, monkeypatch):
    _export, warehouse, config = _setup(tmp_path)
    _load(config, warehouse)
    assert _load(replace(config, full_refresh=True), warehouse, day=1).records_read == 6
    windowed = replace(config, since="2026-05-02")
    assert _load(windowed, warehouse, day=2).records_read == 6
    assert _load(windowed, warehouse, day=3).records_read == 0
    import pipelines.common.export_state as export_state

    monkeypatch.setattr(export_state, "LOADER_VERSION", "test-changed")
    assert _load(windowed, warehouse, day=4).records_read == 6


def test_another_salt_reads_everything(tmp_path):
    _export, warehouse, config = _setup(tmp_path)
    _load(config, warehouse)
    load = load_source(config, warehouse, b"another-salt-for-the-test-012345", DAY)
    assert load.records_read == 6


def test_a_bad_appended_record_is_quarantined_and_the_rest_load(tmp_path):
    export, warehouse, config = _setup(tmp_path)
    _load(config, warehouse)
    bad = _pr(301, "not-a-date")
    _write(export, [_pr(300, "2026-05-03T09:00:00Z"), bad, "{not json"], mode="a")
    load = _load(config, warehouse, day=1)
    assert load.published and load.records_read == 3
    assert len(_rows(warehouse)) == 7
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        quarantined = con.execute(
            "select record_key, field_name, record_number from quarantine.records "
            "where table_name = 'pull_requests' order by record_number, field_name"
        ).fetchall()
    finally:
        con.close()
    assert quarantined == [
        ("301", "created_at", 8),
        ("301", "updated_at", 8),
        (None, "<record>", 9),
    ]
    # the next append keeps the earlier lines' quarantine
    _write(export, _day(4, count=1), mode="a")
    assert _load(config, warehouse, day=2).records_read == 1
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (left,) = con.execute(
            "select count(*) from quarantine.records where table_name = 'pull_requests'"
        ).fetchone()
    finally:
        con.close()
    assert left == 3
    assert _rows(warehouse) == _from_scratch(tmp_path, export, "scratch")


def test_a_changed_policy_file_reads_everything(tmp_path, monkeypatch):
    _export, warehouse, config = _setup(tmp_path)
    _load(config, warehouse)
    import pipelines.common.load as load_module
    from pipelines.common.export_state import load_context

    edited = tmp_path / "policy.yml"
    edited.write_bytes(load_module.source_module("github").policy.path.read_bytes() + b"# x\n")

    def with_edited_policy(_path, *args):
        return load_context(edited, *args)

    monkeypatch.setattr(load_module, "load_context", with_edited_policy)
    assert _load(config, warehouse, day=1).records_read == 6
    assert _load(config, warehouse, day=2).records_read == 0
