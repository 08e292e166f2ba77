"""`outcomes run` with one broken source on a copy of the demo warehouse: the
broken source is not published, the models downstream of it are not rebuilt
(their marts keep their last good state), the other sources' models are."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from outcomes.runner import QualityGateFailed, demo_config, run
from pipelines.common.load import candidate_dataset
from tests.conftest import DEMO_SALT

NEW_PR_ID = 1799999999


def _query(warehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _fingerprint(warehouse, relation: str) -> tuple:
    return _query(warehouse, f"select count(*), coalesce(sum(hash(t)), 0) from {relation} as t")[0]


def _downstream(manifest: dict, source: str) -> set[str]:
    """Names of the models downstream of every table of a dbt source."""
    children = manifest["child_map"]
    todo = [k for k in manifest["sources"] if k.startswith(f"source.outcomes.{source}.")]
    seen: set[str] = set()
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return {k.split(".")[-1] for k in seen if k.startswith("model.")}


@pytest.fixture(scope="module")
def broken_run(demo_warehouse, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("broken_run")
    copy = demo_warehouse.copy_to(tmp_path / "w")
    exports = tmp_path / "exports"
    shutil.copytree(demo_warehouse.exports, exports)
    # Calendar: every confirmed event comes back in a status Google does not have;
    # each such record is quarantined, and so many that the batch collapses
    events = exports / "calendar" / "events.jsonl"
    text = events.read_text()
    assert '"status":"confirmed"' in text
    # the events that will fail, as the last good load published them, and the rest
    (broken_events, other_events) = _query(
        copy.path,
        "select count(*) filter (where event_status = 'confirmed'), "
        "count(*) filter (where event_status is distinct from 'confirmed') from raw_calendar.events",
    )[0]
    events.write_text(text.replace('"status":"confirmed"', '"status":"exploded"'))
    # GitHub: one new pull request, a copy of the first with a new id and number
    prs = exports / "github" / "pull_requests.jsonl"
    first = json.loads(prs.read_text().splitlines()[0])
    first.update(id=NEW_PR_ID, number=99999)
    with prs.open("a") as out:
        out.write(json.dumps(first) + "\n")
    before = {
        relation: _fingerprint(copy.path, relation)
        for relation in (
            "raw_calendar.events",
            "marts.fct_recurring_meeting_series",
            "marts.fct_work_events",
            "marts.fct_team_kpis_weekly",
            "marts.fct_pull_requests",
        )
    }
    with pytest.raises(QualityGateFailed) as failure:
        run(demo_config(exports, copy.path), DEMO_SALT)
    manifest = json.loads((copy.path.parent / "dbt_target_outcomes" / "manifest.json").read_text())
    return copy, before, failure.value, manifest, (broken_events, other_events)


def test_failed_source_is_named_and_not_published(broken_run):
    copy, before, failure, _, (broken, others) = broken_run
    message = str(failure)
    assert "source 'calendar': quality gate FAILED" in message
    assert (
        f"raw_calendar.events [row_count_stable]: raw_calendar.events: {others} rows read, "
        f"last good load read {broken + others}: COLLAPSED below 50% of the last good load"
    ) in message
    assert "source:raw_calendar+ were not rebuilt" in message
    assert _fingerprint(copy.path, "raw_calendar.events") == before["raw_calendar.events"]
    # the candidate holds the batch without its quarantined records
    assert _query(
        copy.path,
        f"select count(*), count(*) filter (where event_status = 'exploded') "
        f"from {candidate_dataset('raw_calendar')}.events",
    ) == [(others, 0)]
    published = {load.source: load.published for load in failure.summary.loads}
    assert published == {
        "roster": True,
        "github": True,
        "jira": True,
        "pagerduty": True,
        "zendesk": True,
        "hubspot": True,
        "calendar": False,
    }


def test_only_the_failed_sources_downstream_keeps_its_state(broken_run):
    copy, before, _, manifest, _ = broken_run
    downstream = _downstream(manifest, "raw_calendar")
    assert {"fct_recurring_meeting_series", "fct_work_events", "fct_team_kpis_weekly"} <= downstream
    assert "fct_pull_requests" not in downstream
    for mart in ("fct_recurring_meeting_series", "fct_work_events", "fct_team_kpis_weekly"):
        assert _fingerprint(copy.path, f"marts.{mart}") == before[f"marts.{mart}"], mart
    # GitHub's models were rebuilt: the one new pull request reached its mart
    count_before = before["marts.fct_pull_requests"][0]
    assert _query(copy.path, "select count(*) from marts.fct_pull_requests") == [
        (count_before + 1,)
    ]
    assert _query(
        copy.path,
        f"select count(*) from raw_github.pull_requests where pull_request_id = {NEW_PR_ID}",
    ) == [(1,)]
