"""A pinned-clock scenario across two time zones (docs/nudges.md): exactly
which nudges are sent, held for quiet hours, capped and deduplicated, every
request verified by a local receiver on 127.0.0.1.

Berlin (UTC+1 in March) and San Francisco (UTC-8 until 8 March 2026) both
work Mon-Fri 09:00-17:00 local. The Berlin channel takes 2 messages a day.
"""

from __future__ import annotations

import datetime as dt

from outcomes.nudges.run import decide, send
from tests.nudges.conftest import SCENARIO, config, endpoints_for, make_warehouse

T1 = dt.datetime(2026, 3, 4, 10, 0)  # Wed: Berlin 11:00 (working), SF 02:00 (night)
T2 = dt.datetime(2026, 3, 4, 17, 30)  # Berlin 18:30 (evening), SF 09:30 (working)
T3 = dt.datetime(2026, 3, 5, 8, 30)  # Thu: Berlin 09:30 (working), SF 00:30 (night)


def log(con):
    return con.execute(
        "select nudge_candidate_id, status from nudges.delivery_log order by decided_at, "
        "nudge_candidate_id, status"
    ).fetchall()


def statuses(outcome):
    return {d.candidate.nudge_candidate_id: d.status for d in outcome.decisions}


def test_sent_held_capped_deduplicated_across_two_time_zones(tmp_path, receiver):
    con = make_warehouse(tmp_path / "w.duckdb", SCENARIO)
    endpoints = endpoints_for(receiver)

    first = send(con, config(), T1, endpoints)
    # Berlin at 11:00: the two warnings (oldest first) take the day's 2 messages,
    # the info nudge is capped; SF is asleep until 09:00 PST = 17:00 UTC; the
    # opted-in owner gets their own nudge; the owner who did not opt in gets none.
    assert statuses(first) == {
        "B1": "sent",
        "B2": "sent",
        "B3": "capped",
        "S1": "held",
        "S2": "held",
        "P1": "sent",
        "P2": "not_opted_in",
    }
    held = {d.candidate.nudge_candidate_id: d.hold_until for d in first.decisions}
    assert held["S1"] == held["S2"] == dt.datetime(2026, 3, 4, 17, 0)
    assert [r.path for r in receiver.accepted()] == ["/berlin_chat", "/berlin_chat", "/direct"]
    assert all(r.verdict is None for r in receiver.requests)

    # A rerun at the same time sends nothing again and adds only the
    # deduplicated rows (once); the capped and held rows are not repeated.
    rows_before = len(log(con))
    again = send(con, config(), T1, endpoints)
    assert statuses(again) == {
        "B1": "deduplicated",
        "B2": "deduplicated",
        "B3": "capped",
        "S1": "held",
        "S2": "held",
        "P1": "deduplicated",
        "P2": "not_opted_in",
    }
    assert len(receiver.requests) == 3
    assert len(log(con)) == rows_before + 3
    send(con, config(), T1, endpoints)
    assert len(log(con)) == rows_before + 3

    second = send(con, config(), T2, endpoints)
    # Berlin evening: B1 was sent 7.5 h ago (window 24 h); B2's 4 h window has
    # passed but it is quiet hours, so it is held to Thu 09:00 Berlin = 08:00 UTC,
    # as is B3. SF opens: its two held nudges come folded into one digest.
    assert statuses(second) == {
        "B1": "deduplicated",
        "B2": "held",
        "B3": "held",
        "S1": "sent",
        "S2": "sent",
        "P1": "deduplicated",
        "P2": "not_opted_in",
    }
    assert {d.hold_until for d in second.decisions if d.status == "held"} == {
        dt.datetime(2026, 3, 5, 8, 0)
    }
    digest = receiver.accepted()[-1]
    assert digest.path == "/sf_chat" and len(receiver.accepted()) == 4
    assert digest.json["@type"] == "MessageCard"
    assert "acme/web#9" in digest.json["text"] and "901" in digest.json["text"]

    third = send(con, config(), T3, endpoints)
    # Thursday 09:30 in Berlin: a new local day, so the cap starts again; the
    # two held nudges come as one digest; B1 is still inside its 24 h window.
    # SF is asleep, but its nudges were sent 15 h ago: deduplicated first.
    assert statuses(third) == {
        "B1": "deduplicated",
        "B2": "sent",
        "B3": "sent",
        "S1": "deduplicated",
        "S2": "deduplicated",
        "P1": "deduplicated",
        "P2": "not_opted_in",
    }
    assert len(receiver.accepted()) == 5
    assert receiver.accepted()[-1].path == "/berlin_chat"
    assert "PAY-7" in receiver.accepted()[-1].json["text"]
    # Every request carried a distinct delivery id: nothing was sent twice.
    assert len(set(receiver.delivery_ids())) == 5
    (logged_people,) = con.execute(
        "select count(*) from nudges.delivery_log where recipient_person_id is not null "
        "and recipient_person_id <> ?",
        ["a" * 32],
    ).fetchone()
    assert logged_people == 0  # the owner who did not opt in is never logged


def test_team_messages_name_no_person_and_the_direct_one_goes_to_its_owner(tmp_path, receiver):
    con = make_warehouse(tmp_path / "w.duckdb", SCENARIO)
    send(con, config(), T1, endpoints_for(receiver))
    team = [r for r in receiver.accepted() if r.path != "/direct"]
    for r in team:
        text = r.body.decode()
        assert "owner@example.com" not in text and "a" * 32 not in text and "Owner" not in text
    (direct,) = [r for r in receiver.accepted() if r.path == "/direct"]
    assert direct.json["recipient"] == {
        "type": "person",
        "person_id": "a" * 32,
        "email": "owner@example.com",
    }
    assert [n["subject_ref"] for n in direct.json["nudges"]] == ["PAY-7"]
    assert team[0].json["text"].count("https://github.com/acme/api/pull/1") == 1


def test_a_digest_team_gets_one_message_a_day(tmp_path, receiver):
    from outcomes.nudges.policy import Channel

    con = make_warehouse(tmp_path / "w.duckdb", SCENARIO)
    digest = config(channels={"berlin": Channel("berlin_chat", "webhook", "digest", 2)})
    first = send(con, digest, T1, endpoints_for(receiver))
    berlin = [r for r in receiver.accepted() if r.path == "/berlin_chat"]
    assert len(berlin) == 1 and berlin[0].json["kind"] == "digest"
    assert [n["subject_ref"] for n in berlin[0].json["nudges"]] == ["acme/api#1", "4711", "PAY-7"]
    assert {statuses(first)[c] for c in ("B1", "B2", "B3")} == {"sent"}


def test_preview_writes_nothing(tmp_path):
    con = make_warehouse(tmp_path / "w.duckdb", SCENARIO)
    decisions = decide(con, config(), T1)
    assert {d.candidate.nudge_candidate_id: d.status for d in decisions}["B3"] == "capped"
    assert log(con) == []
