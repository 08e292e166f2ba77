"""Source freshness from the data, with an injected clock: fresh after a
load, warn after a day, error after two, and a load whose gate failed does
not make a source fresh."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg

from outcomes.config import SourceConfig
from outcomes.quality.freshness import SourceFreshness, source_freshness
from outcomes.warehouse import ensure_warehouse
from pipelines.common.load import load_source, source_module

SALT = b"freshness-test-salt-0123456789"
T0 = dt.datetime(2026, 6, 1, 12, 0, 0)
GITHUB = source_module("github").policy


def _pr(id_: int, state: str) -> str:
    return json.dumps(
        {
            "id": id_,
            "number": id_,
            "state": state,
            "user": {"login": "ada-l", "id": 9, "type": "User"},
            "base": {"repo": {"full_name": "acme/api"}},
            "created_at": "2026-05-04T09:00:00Z",
            "updated_at": "2026-05-04T10:00:00Z",
        }
    )


def _load(tmp_path, warehouse, state: str, loaded_at: dt.datetime, count: int = 25):
    export = tmp_path / "github"
    export.mkdir(exist_ok=True)
    lines = [_pr(i, state) for i in range(1, count + 1)]
    (export / "pull_requests.jsonl").write_text("\n".join(lines) + "\n")
    return load_source(SourceConfig("github", export), warehouse, SALT, loaded_at, now=loaded_at)


def test_freshness_follows_the_last_published_load(tmp_path):
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    assert source_freshness(warehouse, GITHUB, T0).status == "error"  # never loaded
    assert source_freshness(warehouse, GITHUB, T0).last_loaded_at is None

    assert _load(tmp_path, warehouse, "open", T0).published
    hour = dt.timedelta(hours=1)
    fresh = source_freshness(warehouse, GITHUB, T0 + hour)
    assert (fresh.last_loaded_at, fresh.status) == (T0, "fresh")
    assert fresh.describe() == (
        "github: last published load at 2026-06-01 12:00 UTC, 1.0 h ago: fresh"
    )
    assert source_freshness(warehouse, GITHUB, T0 + dt.timedelta(hours=24)).status == "fresh"
    assert source_freshness(warehouse, GITHUB, T0 + dt.timedelta(hours=25)).status == "warn"
    assert source_freshness(warehouse, GITHUB, T0 + dt.timedelta(hours=49)).status == "error"
    # an aware clock is compared in UTC
    aware = (T0 + hour).replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert source_freshness(warehouse, GITHUB, aware).status == "fresh"

    # three days later a load runs but fails its gate (5 rows where 25 were:
    # the row counts collapse): nothing published, still stale
    later = T0 + dt.timedelta(days=3)
    assert not _load(tmp_path, warehouse, "open", later, count=5).published
    stale = source_freshness(warehouse, GITHUB, later + hour)
    assert (stale.last_loaded_at, stale.status) == (T0, "error")
    # the next good load makes it fresh again
    assert _load(tmp_path, warehouse, "closed", later + hour).published
    assert source_freshness(warehouse, GITHUB, later + 2 * hour).status == "fresh"


def test_dagster_check_severity_follows_the_status():
    from orchestration.checks import FRESHNESS_CHECK, freshness_results

    keys = [dg.AssetKey(["raw_github", "pull_requests"]), dg.AssetKey(["raw_github", "reviews"])]
    cases = {
        dt.timedelta(hours=2): (True, dg.AssetCheckSeverity.ERROR),  # passed: severity unused
        dt.timedelta(hours=30): (False, dg.AssetCheckSeverity.WARN),
        dt.timedelta(hours=50): (False, dg.AssetCheckSeverity.ERROR),
    }
    for age, (passed, severity) in cases.items():
        results = list(freshness_results(SourceFreshness("github", T0, T0 + age), keys))
        assert [r.asset_key for r in results] == keys
        assert {(r.check_name, r.passed, r.severity) for r in results} == {
            (FRESHNESS_CHECK, passed, severity)
        }


def test_a_published_load_of_an_empty_export_is_fresh(tmp_path):
    """No row carries a load stamp, but quality.row_counts marks the load as passed."""
    warehouse = ensure_warehouse(tmp_path / "w.duckdb")
    (tmp_path / "github").mkdir()
    load = load_source(SourceConfig("github", tmp_path / "github"), warehouse, SALT, T0, now=T0)
    assert load.published and load.rows_landed == 0
    fresh = source_freshness(warehouse, GITHUB, T0 + dt.timedelta(hours=1))
    assert (fresh.last_loaded_at, fresh.status) == (T0, "fresh")
