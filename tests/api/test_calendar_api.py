"""Google Calendar through its simulator: the same raw rows as the exports,
sync tokens per calendar (410 Gone -> full sync), cancelled events, faults,
a service account's JWT exchange."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from outcomes.errors import OutcomesError
from pipelines.common.api import check_source
from tests.api.conftest import (
    api_config,
    assert_same_raw,
    kill_a_pull,
    load_api,
    load_files,
    raw_tables,
)

SOURCE = "calendar"


def config(sim, **scope):
    return api_config(SOURCE, sim, calendars=tuple(sim.calendars()), **scope)


def queries(sim) -> list[tuple[str, dict[str, list[str]]]]:
    return [(urlsplit(t).path, parse_qs(urlsplit(t).query)) for t in sim.requests]


def test_pull_lands_the_same_raw_rows_as_the_exports(simulator, demo_exports, tmp_path):
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    pulled = load_api(config(simulator), tmp_path / "api.duckdb")
    assert pulled.published
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    tables = raw_tables(tmp_path / "api.duckdb", SOURCE)
    assert tables["raw_calendar.events"] and tables["raw_calendar.event_attendees"]
    full = queries(simulator)
    assert all(q.get("timeMin") == ["2025-11-01T00:00:00Z"] for p, q in full)
    assert all(q.get("showDeleted") == ["true"] and "syncToken" not in q for p, q in full)


def test_small_pages_are_followed_to_the_sync_token(simulator, demo_exports, tmp_path, monkeypatch):
    import pipelines.calendar.api as calendar_api

    monkeypatch.setattr(calendar_api, "PAGE", 7)
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    load_api(config(simulator), tmp_path / "api.duckdb")
    assert any("pageToken" in q for _, q in queries(simulator))
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)


def test_a_rerun_passes_each_calendars_sync_token_and_changes_nothing(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    load_api(config(simulator), warehouse)
    before = raw_tables(warehouse, SOURCE)
    simulator.clear_log()
    second = load_api(config(simulator), warehouse)
    assert second.published
    assert raw_tables(warehouse, SOURCE) == before
    asked = queries(simulator)
    assert len(asked) == len(simulator.calendars())  # one empty answer per calendar
    assert all("syncToken" in q and "timeMin" not in q for _, q in asked)


def test_changed_and_cancelled_events_come_by_sync_token_and_end_as_a_full_pull(
    simulator, tmp_path
):
    warehouse = tmp_path / "api.duckdb"
    load_api(config(simulator), warehouse)
    confirmed = [e for e in simulator.events if e.get("status") == "confirmed" and e.get("id")]
    moved, cancelled = confirmed[3], confirmed[10]
    simulator.update_event(
        moved["id"], updated="2026-11-16T09:00:00.000Z", transparency="transparent"
    )
    simulator.cancel_event(cancelled["id"], updated="2026-11-16T09:30:00.000Z")
    simulator.clear_log()
    load_api(config(simulator), warehouse)
    touched = {simulator.calendar_of(moved), simulator.calendar_of(cancelled)}
    asked = queries(simulator)
    assert all("syncToken" in q for _, q in asked)
    rows = raw_tables(warehouse, SOURCE)["raw_calendar.events"]
    fresh = tmp_path / "fresh.duckdb"
    load_api(config(simulator), fresh)
    assert_same_raw(fresh, warehouse, SOURCE)
    con_rows = {r for r in rows if cancelled["id"] in r or moved["id"] in r}
    assert len(con_rows) == 2 and any("cancelled" in r for r in con_rows)
    assert any("transparent" in r for r in con_rows)
    assert len(touched) >= 1


def test_a_minimal_cancelled_event_lands_as_cancelled(simulator, tmp_path):
    """Google may answer a deleted event with its id and status only: it lands as
    cancelled, stamped with the calendar's `updated`."""
    warehouse = tmp_path / "api.duckdb"
    load_api(config(simulator), warehouse)
    victim = next(e for e in simulator.events if e.get("status") == "confirmed")
    for key in [k for k in victim if k not in {"id", "organizer"}]:
        del victim[key]
    simulator.cancel_event(victim["id"], updated="2026-11-16T11:00:00.000Z")
    victim.pop("updated")
    simulator.now = simulator.now.replace(year=2026, month=11, day=16, hour=11)
    load_api(config(simulator), warehouse)
    rows = [r for r in raw_tables(warehouse, SOURCE)["raw_calendar.events"] if victim["id"] in r]
    assert len(rows) == 1 and "cancelled" in rows[0]


def test_an_expired_sync_token_syncs_that_calendar_in_full(simulator, demo_exports, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    load_api(config(simulator), warehouse)
    simulator.clear_log()
    simulator.inject("expired_token", path="/calendars/")
    load_api(config(simulator), warehouse)
    asked = queries(simulator)
    assert "syncToken" in asked[0][1] and "syncToken" not in asked[1][1]
    assert asked[0][0] == asked[1][0] and "timeMin" in asked[1][1]
    files = tmp_path / "files.duckdb"
    load_files(SOURCE, demo_exports, files)
    assert_same_raw(files, warehouse, SOURCE, with_loaded_at=False)
    simulator.expire_tokens()  # every token at once
    simulator.clear_log()
    load_api(config(simulator), warehouse)
    assert_same_raw(files, warehouse, SOURCE, with_loaded_at=False)


def test_sync_token_and_time_min_are_never_combined(simulator, tmp_path):
    warehouse = tmp_path / "api.duckdb"
    load_api(config(simulator), warehouse)
    simulator.clear_log()
    load_api(config(simulator), warehouse)
    assert all(not ("syncToken" in q and "timeMin" in q) for _, q in queries(simulator))


@pytest.mark.parametrize(
    "fault", ["429", "502", "truncate", "bad_json", "slow", "new_field", "rate_limit_403"]
)
def test_faults_are_retried_and_the_pull_is_complete(simulator, demo_exports, tmp_path, fault):
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    simulator.inject(fault, path="/calendars/", seconds=0.5)
    load_api(config(simulator), tmp_path / "api.duckdb")
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)


def test_a_removed_description_changes_only_has_agenda(simulator, demo_exports, tmp_path):
    """The optional field a page drops is `description`: those events land without
    an agenda, every other column and row as the export's."""
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    simulator.inject("drop_optional", path="/calendars/")
    load_api(config(simulator), tmp_path / "api.duckdb")
    files = raw_tables(tmp_path / "files.duckdb", SOURCE)
    pulled = raw_tables(tmp_path / "api.duckdb", SOURCE)
    assert files["raw_calendar.event_attendees"] == pulled["raw_calendar.event_attendees"]
    left, right = files["raw_calendar.events"], pulled["raw_calendar.events"]
    assert len(left) == len(right)
    changed = [(a, b) for a, b in zip(left, right, strict=True) if a != b]
    assert changed  # the page had events with a description
    for a, b in changed:
        assert [x for x, y in zip(a, b, strict=True) if x != y] == [True]  # has_agenda


def test_a_forbidden_calendar_names_the_answer(simulator, tmp_path):
    simulator.inject("forbidden", path="/calendars/")
    with pytest.raises(OutcomesError) as failure:
        load_api(config(simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'calendar'" in message and "403" in message and "forbidden" in message


def test_bad_credentials_name_the_source_and_the_answer(simulator, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__CALENDAR__ACCESS_TOKEN", "wrong")
    with pytest.raises(OutcomesError) as failure:
        load_api(config(simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'calendar'" in message and "401" in message and "Traceback" not in message


def test_no_calendars_setting_is_named(simulator, tmp_path):
    with pytest.raises(OutcomesError, match=r"api\.calendars"):
        load_api(api_config(SOURCE, simulator), tmp_path / "api.duckdb")


def test_sources_check(simulator, tmp_path):
    lines = check_source(SOURCE, config(simulator).api)
    assert any("accepted" in line for line in lines)
    assert any(f"{len(simulator.calendars())} calendar(s)" in line for line in lines)
    assert any("in full from 2025-11-01" in line for line in lines)


def _service_account(simulator, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    simulator.service_account_key = key.public_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    account = {
        "type": "service_account",
        "project_id": "outcomes-test",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "outcomes@outcomes-test.iam.gserviceaccount.com",
        "token_uri": f"{simulator.base_url}/token",
    }
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(account))
    return account, path


def test_a_service_account_impersonates_each_calendars_owner(
    simulator, demo_exports, tmp_path, monkeypatch
):
    account, path = _service_account(simulator, tmp_path)
    monkeypatch.delenv("SOURCES__CALENDAR__ACCESS_TOKEN")
    monkeypatch.setenv("SOURCES__CALENDAR__SERVICE_ACCOUNT_JSON", str(path))
    load_files(SOURCE, demo_exports, tmp_path / "files.duckdb")
    load_api(config(simulator), tmp_path / "api.duckdb")
    assert_same_raw(tmp_path / "files.duckdb", tmp_path / "api.duckdb", SOURCE)
    assert sorted(g["sub"] for g in simulator.grants) == simulator.calendars()
    assert all(g["iss"] == account["client_email"] for g in simulator.grants)


def test_a_service_account_with_one_subject_and_inline_json(simulator, tmp_path, monkeypatch):
    account, _ = _service_account(simulator, tmp_path)
    monkeypatch.delenv("SOURCES__CALENDAR__ACCESS_TOKEN")
    monkeypatch.setenv("SOURCES__CALENDAR__SERVICE_ACCOUNT_JSON", json.dumps(account))
    monkeypatch.setenv("SOURCES__CALENDAR__SUBJECT", "admin@example.com")
    lines = check_source(SOURCE, config(simulator).api)
    assert any("accepted" in line for line in lines)
    assert [g["sub"] for g in simulator.grants] == ["admin@example.com"]


def test_a_refused_service_account_names_the_token_uri(simulator, tmp_path, monkeypatch):
    from cryptography.hazmat.primitives.asymmetric import rsa

    _, path = _service_account(simulator, tmp_path)
    simulator.service_account_key = rsa.generate_private_key(65537, 2048).public_key()
    monkeypatch.delenv("SOURCES__CALENDAR__ACCESS_TOKEN")
    monkeypatch.setenv("SOURCES__CALENDAR__SERVICE_ACCOUNT_JSON", str(path))
    with pytest.raises(OutcomesError) as failure:
        load_api(config(simulator), tmp_path / "api.duckdb")
    message = str(failure.value)
    assert "'calendar'" in message and "400" in message and "/token" in message
    assert "Invalid JWT Signature" in message


def test_no_free_text_reaches_the_disk(simulator, demo_exports, tmp_path):
    from tests.api.conftest import read_export

    events = read_export(demo_exports / SOURCE / "events.jsonl")
    secrets = {r["summary"] for r in events if len(r.get("summary") or "") > 12}
    secrets |= {r["description"] for r in events if len(r.get("description") or "") > 12}
    assert len(secrets) > 10
    folder = tmp_path / "pull"
    folder.mkdir()
    load_api(config(simulator), folder / "api.duckdb")
    written = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert [s for s in secrets if s.encode() in written] == []


def test_a_killed_pull_resumes_identical(simulator, tmp_path):
    """A real kill of the pulling process mid-way; the rerun ends as an uninterrupted pull."""
    clean = tmp_path / "clean.duckdb"
    load_api(config(simulator), clean)
    killed = tmp_path / "killed.duckdb"
    kill_a_pull(
        SOURCE, simulator, killed, slow_path="/calendars/", calendars=list(simulator.calendars())
    )
    simulator.clear_log()
    load_api(config(simulator), killed)
    assert all("syncToken" not in q for _, q in queries(simulator))  # nothing was published
    assert_same_raw(clean, killed, SOURCE)
