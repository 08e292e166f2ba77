"""HubSpot CRM v3 through its simulator: the same raw rows as the exports,
incremental by modified date, windowed past the search's 10,000 results,
resilient to faults."""

from __future__ import annotations

import pytest

from outcomes.errors import OutcomesError
from pipelines.common.api import check_source
from pipelines.hubspot.api import to_ms
from tests.api.conftest import (
    api_config,
    assert_same_raw,
    kill_a_pull,
    load_api,
    load_files,
    raw_tables,
    read_export,
    staged,
)

SOURCE = "hubspot"


def _search_starts(sim, kind: str) -> list[int]:
    """The GTE value of every search the simulator answered for one object type."""
    return [
        int(body["filterGroups"][0]["filters"][0]["value"])
        for k, body in sim.searches
        if k == kind and body.get("filterGroups")
    ]


def test_pull_lands_the_same_raw_rows_as_the_exports(simulator, demo_exports, tmp_path):
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    pulled = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    tables = raw_tables(tmp_path / "api.duckdb", SOURCE)
    for table in ("owners", "contacts", "deals", "deal_stage_history", "engagements"):
        assert tables[f"raw_hubspot.{table}"], table
    # every page within the documented caps
    for _kind, body in simulator.searches:
        assert body["limit"] <= 200


def test_search_is_windowed_past_the_result_cap(simulator, demo_exports, tmp_path):
    """A query reaches at most N results: the loader goes on from the last modified date."""
    simulator.search_max_results = 40
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    starts = _search_starts(simulator, "contacts")
    assert len(starts) > 3 and starts == sorted(starts)


def test_a_rerun_asks_from_the_cursor_and_changes_nothing(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, overlap_minutes=60)
    load_api(config, warehouse)
    before = raw_tables(warehouse, SOURCE, with_loaded_at=False)
    newest = max(to_ms(c["properties"]["lastmodifieddate"]) for c in simulator.objects["contacts"])
    simulator.clear_log()
    simulator.searches.clear()
    second = load_api(config, warehouse)
    assert second.published
    assert raw_tables(warehouse, SOURCE, with_loaded_at=False) == before
    # the cursor (seconds) less one hour of overlap
    assert _search_starts(simulator, "contacts") == [newest // 1000 * 1000 - 3_600_000]
    # one search page per object type, owners twice, few batch reads
    assert len(simulator.requests) <= 15


def test_changed_records_are_fetched_and_end_as_a_full_pull(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator)
    load_api(config, warehouse)
    at = "2026-11-16T10:00:00.000Z"
    contact = simulator.objects["contacts"][3]
    simulator.update_contact(contact["id"], at, hs_lead_status="CONNECTED")
    deal = next(
        d for d in simulator.objects["deals"] if d["properties"]["dealstage"] != "closedwon"
    )
    simulator.move_deal(deal["id"], "closedwon", at)
    owner = int(simulator.owners[0]["id"])
    simulator.log_call(39_999_999_999, int(contact["id"]), owner, to_ms(at))
    simulator.clear_log()
    simulator.searches.clear()
    simulator.batch_reads.clear()
    load_api(config, warehouse)
    # the changed deal, and those changed within the overlap, are read with their history
    read = [i["id"] for k, body in simulator.batch_reads if k == "deals" for i in body["inputs"]]
    assert deal["id"] in read and len(read) < len(simulator.objects["deals"]) / 2
    rows = raw_tables(warehouse, SOURCE)
    assert any(
        r[-1] == 39_999_999_999 or 39_999_999_999 in r for r in rows["raw_hubspot.engagements"]
    )
    history = [r for r in rows["raw_hubspot.deal_stage_history"] if int(deal["id"]) in r]
    assert any("closedwon" in r for r in history)
    fresh = tmp_path / "fresh.duckdb"
    load_api(config, fresh)
    assert_same_raw(warehouse, fresh, SOURCE, with_loaded_at=False)


def test_a_change_late_in_search_is_caught_by_the_overlap(simulator, tmp_path):
    """Search is eventually consistent: a change indexed late still arrives next run."""
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, overlap_minutes=60)
    load_api(config, warehouse)
    late, early = simulator.objects["contacts"][5], simulator.objects["contacts"][6]
    simulator.update_contact(late["id"], "2026-11-16T10:00:00.000Z", hs_lead_status="BAD_TIMING")
    simulator.update_contact(early["id"], "2026-11-16T10:20:00.000Z", hs_lead_status="CONNECTED")
    simulator.hide_from_search(late["id"])
    load_api(config, warehouse)
    simulator.hidden.clear()
    load_api(config, warehouse)
    statuses = {r for r in raw_tables(warehouse, SOURCE)["raw_hubspot.contacts"]}
    assert any(int(late["id"]) in r and "BAD_TIMING" in r for r in statuses)


@pytest.mark.parametrize(
    "fault",
    [
        "429",
        "502",
        "truncate",
        "bad_json",
        "slow",
        "new_field",
        "secondly_limit",
        "drop_optional_properties",
    ],
)
def test_faults_are_retried_and_the_pull_is_complete(simulator, demo_exports, tmp_path, fault):
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    simulator.inject(fault, path="/crm/v3/objects/contacts/search", seconds=0.5)
    simulator.inject(fault, path="/crm/v3/objects/deals/batch/read", seconds=0.5)
    load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)


def test_bad_credentials_name_the_source_and_the_answer(simulator, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__HUBSPOT__ACCESS_TOKEN", "wrong")
    with pytest.raises(OutcomesError) as failure:
        load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'hubspot'" in message and "401" in message and "Traceback" not in message


def test_sources_check(simulator):
    lines = check_source(SOURCE, api_config(SOURCE, simulator).api)
    assert any("accepted" in line for line in lines)
    assert any("contacts modified since 2025-11-01" in line for line in lines)
    assert (
        lines[-1].startswith("deletions: contacts, deals and engagements") and "24 h" in lines[-1]
    )


def test_a_new_field_is_reported_and_not_stored(simulator, tmp_path):
    simulator.inject("new_field", path="/crm/v3/objects/contacts/search", times=100)
    load = load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    assert any("x_added_by_vendor" in keys for keys in load.new_columns.values())


def test_no_free_text_is_asked_for_or_reaches_the_disk(simulator, demo_exports, tmp_path):
    """Bodies, subjects, notes, names and phone numbers are never requested, and
    none of them is written anywhere."""
    contacts = read_export(demo_exports / SOURCE / "contacts.jsonl")
    engagements = read_export(demo_exports / SOURCE / "engagements.jsonl")
    secrets = {c["properties"]["phone"] for c in contacts} | {
        e["metadata"].get("title") or e["metadata"].get("subject") for e in engagements
    }
    secrets.discard(None)
    assert len(secrets) > 10
    folder = tmp_path / "pull"
    folder.mkdir()
    load_api(api_config(SOURCE, simulator), folder / "api.duckdb")
    asked = {p for _k, body in simulator.searches for p in body.get("properties") or []}
    assert not asked & {"firstname", "lastname", "phone", "hs_call_body", "hs_email_text"}
    written = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert [s for s in secrets if s.encode() in written] == []


def test_deactivated_owners_arrive_as_archived(simulator, tmp_path):
    """The owners list holds only active owners; `archived=true` lists the others."""
    simulator.owners[0]["archived"] = True
    load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")
    owners = raw_tables(tmp_path / "api.duckdb", SOURCE)["raw_hubspot.owners"]
    assert len(owners) == len(simulator.owners)
    assert sum(1 for r in owners if True in r) == 1
    assert any("archived=true" in t for t in simulator.requests)


def test_deleted_objects_arrive_from_the_archive_and_leave_staging(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    config = api_config(SOURCE, simulator, deletion_sweep_hours=0)
    load_api(config, warehouse)
    contacts = staged(warehouse, "hubspot", "stg_hubspot__contacts", "contact_id")
    deals = staged(warehouse, "hubspot", "stg_hubspot__deals", "deal_id")
    engagements = staged(warehouse, "hubspot", "stg_hubspot__engagements", "engagement_id")
    stages = staged(warehouse, "hubspot", "stg_hubspot__deal_stage_history", "deal_id, entered_at")
    links = staged(warehouse, "hubspot", "stg_hubspot__engagements", "engagement_id, contact_id")
    deal_links = staged(warehouse, "hubspot", "stg_hubspot__engagements", "engagement_id, deal_id")
    call = simulator.objects["calls"][0]["id"]
    # a contact and a deal (with a stage history) that other engagements are associated with
    contact = next(str(c) for e, c in links if c is not None and e != int(call))
    staged_deals = {r[0] for r in stages}
    deal = next(str(d) for e, d in deal_links if d in staged_deals and e != int(call))
    at = "2026-11-16T10:00:00.000Z"
    for kind, object_id in (("contacts", contact), ("deals", deal), ("calls", call)):
        simulator.archive(kind, object_id, at)
    simulator.clear_log()
    assert load_api(config, warehouse).published
    # each type's recycling bin was listed (the demo's fits in a page)
    listed = [r for r in simulator.requests if "archived=true" in r and "/objects/" in r]
    assert {r.split("?")[0] for r in listed} == {
        f"/crm/v3/objects/{kind}" for kind in ("contacts", "deals", "calls", "emails", "meetings")
    }
    assert staged(warehouse, "hubspot", "stg_hubspot__contacts", "contact_id") == [
        r for r in contacts if r != (int(contact),)
    ]
    assert staged(warehouse, "hubspot", "stg_hubspot__deals", "deal_id") == [
        r for r in deals if r != (int(deal),)
    ]
    assert staged(warehouse, "hubspot", "stg_hubspot__engagements", "engagement_id") == [
        r for r in engagements if r != (int(call),)
    ]
    # a deleted deal's stage history leaves with it; HubSpot keeps an activity
    # of a deleted record, unassociated from it
    kept = [r for r in stages if r[0] != int(deal)]
    assert len(kept) < len(stages)
    assert (
        staged(warehouse, "hubspot", "stg_hubspot__deal_stage_history", "deal_id, entered_at")
        == kept
    )
    assert staged(
        warehouse, "hubspot", "stg_hubspot__engagements", "engagement_id, contact_id"
    ) == [(e, None if c == int(contact) else c) for e, c in links if e != int(call)]
    assert staged(warehouse, "hubspot", "stg_hubspot__engagements", "engagement_id, deal_id") == [
        (e, None if d == int(deal) else d) for e, d in deal_links if e != int(call)
    ]
    # raw keeps the object, marked: its row replaced by the archived record
    tables = raw_tables(warehouse, SOURCE, with_loaded_at=False)
    assert len(tables["raw_hubspot.contacts"]) == len(contacts)
    # a rerun lists the bin again but lands nothing already landed: no row changes
    before = raw_tables(warehouse, SOURCE)
    load_api(config, warehouse)
    assert raw_tables(warehouse, SOURCE) == before


def test_a_killed_pull_resumes_identical(simulator, tmp_path):
    """A real kill of the pulling process mid-way; the rerun ends as an uninterrupted pull."""
    clean = tmp_path / "clean.duckdb"
    load_api(api_config(SOURCE, simulator), clean)
    killed = tmp_path / "killed.duckdb"
    kill_a_pull(
        SOURCE, simulator, killed, slow_path="/crm/v3/objects/", until=lambda r: len(r) >= 5
    )
    load_api(api_config(SOURCE, simulator), killed)
    assert_same_raw(clean, killed, SOURCE, with_loaded_at=False)
