"""The nudges under the privacy rules (docs/nudges.md#privacy), on the demo:
candidates and messages name nobody, an opt-in is a pseudonym covered by
export and erase, and a salt rotation carries it re-keyed."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from click.testing import CliRunner

from outcomes.cli import main
from outcomes.nudges.delivery import body
from outcomes.nudges.policy import Channel, Settings
from outcomes.nudges.run import load_candidates, send
from outcomes.nudges.settings import NudgeConfig
from outcomes.nudges.store import ensure_tables, set_opt_in
from outcomes.privacy.rights import erase_person, export_person
from tests.conftest import DEMO_SALT
from tests.nudges.conftest import endpoints_for

# Rebuilds here run the models only (tests/conftest.py says why).
pytestmark = pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")

PSEUDONYM = re.compile(r"\b[0-9a-f]{32}\b")


def test_demo_candidates_and_team_messages_name_nobody(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse.path), read_only=True)
    try:
        columns = {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'nudges' and table_name = 'nudge_candidates'"
            ).fetchall()
        }
        candidates = load_candidates(con)
        people = con.execute("select email, display_name from identity.people_identity").fetchall()
    finally:
        con.close()
    # the only column that can hold a person is the owner's pseudonym
    assert {c for c in columns if "person" in c} == {"recipient_person_id"}
    assert {c.rule_id for c in candidates} >= {"pr_review_wait", "wip_aging", "lead_untouched"}
    team = [c for c in candidates if c.recipient_type == "team"]
    assert team and all(c.recipient_person_id is None for c in team)
    for kind in ("slack", "teams", "webhook"):
        text = body(kind, "m", team, {}, True, {"type": "team", "team_id": "x"}).decode()
        assert not PSEUDONYM.search(text.replace('"message_id":"m"', ""))
        lowered = text.lower()
        for email, name in people:
            assert email.lower() not in lowered
            assert not name or f" {name.lower()} " not in lowered


def test_opt_in_is_a_pseudonym_exported_and_erased(demo_warehouse, tmp_path, monkeypatch, receiver):
    copy = demo_warehouse.copy_to(tmp_path / "wh")
    monkeypatch.setenv("OUTCOMES_WAREHOUSE", str(copy.path))
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", DEMO_SALT.decode())
    ((owner, email, team),) = copy.query(
        """
        select c.recipient_person_id, i.email, c.recipient_team_id
        from nudges.nudge_candidates as c
        inner join identity.people_identity as i on c.recipient_person_id = i.person_key
        where c.recipient_type = 'person'
        order by c.nudge_candidate_id limit 1
        """
    )
    result = CliRunner().invoke(main, ["nudges", "opt-in", "--email", email])
    assert result.exit_code == 0, result.output
    assert "opted in" in result.output
    assert copy.query("select person_key from privacy.nudge_opt_ins") == [(owner,)]

    # a send at a working hour of every time zone's Monday is not needed: the
    # owner's log rows (sent or held) are what export and erase must reach
    config = NudgeConfig(
        settings=Settings(
            channels={team: Channel("team_chat", "webhook", "stream", 2)},
            direct=Channel("direct", "webhook", "stream", 3),
        )
    )
    con = duckdb.connect(str(copy.path))
    try:
        send(con, config, dt.datetime(2026, 11, 16, 14, 0), endpoints_for(receiver))
    finally:
        con.close()
    assert all(r.verdict is None for r in receiver.requests)
    (mine,) = copy.query(
        "select count(*) from nudges.delivery_log where recipient_person_id = ?", [owner]
    )[0]
    (others,) = copy.query(
        "select count(*) from nudges.delivery_log where recipient_person_id is null"
    )[0]
    assert mine >= 1 and others >= 1

    exported = export_person(copy.path, email, DEMO_SALT)["tables"]
    assert len(exported["privacy.nudge_opt_ins"]) == 1
    assert len(exported["nudges.delivery_log"]) == mine

    erase_person(copy.path, email, DEMO_SALT, rebuild=False)
    assert copy.query("select count(*) from privacy.nudge_opt_ins") == [(0,)]
    assert copy.query(
        "select count(*) from nudges.delivery_log where recipient_person_id = ?", [owner]
    ) == [(0,)]
    assert copy.query(
        "select count(*) from nudges.delivery_log where recipient_person_id is null"
    ) == [(others,)]


def test_an_unknown_email_cannot_opt_in(demo_warehouse, tmp_path, monkeypatch):
    copy = demo_warehouse.copy_to(tmp_path / "wh")
    monkeypatch.setenv("OUTCOMES_WAREHOUSE", str(copy.path))
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", DEMO_SALT.decode())
    result = CliRunner().invoke(main, ["nudges", "opt-in", "--email", "nobody@nowhere.example"])
    assert result.exit_code == 2
    assert "no person with that email" in result.output
    assert "Traceback" not in result.output


def test_a_rotation_carries_opt_ins_and_the_log_rekeyed(tmp_path):
    from outcomes.nudges.privacy import carry_over

    old_path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(old_path))
    ensure_tables(old)
    set_opt_in(old, "o" * 32, True, dt.datetime(2026, 3, 1))
    set_opt_in(old, "g" * 32, True, dt.datetime(2026, 3, 1))  # gone from the exports
    for i, person in enumerate(["o" * 32, None, "g" * 32]):
        old.execute(
            "insert into nudges.delivery_log (delivery_id, nudge_candidate_id, rule_id, "
            "recipient_type, recipient_team_id, recipient_person_id, subject_id, reason_code, "
            "status, decided_at) values (?, 'c', 'wip_aging', ?, 'team1', ?, 's', 'r', 'sent', "
            "timestamp '2026-03-01 10:00')",
            [f"d{i}", "person" if person else "team", person],
        )
    old.close()
    new = duckdb.connect(str(tmp_path / "new.duckdb"))
    carried = carry_over(old_path, new, {"o" * 32: "n" * 32})
    assert carried == 3
    assert new.execute("select person_key from privacy.nudge_opt_ins").fetchall() == [("n" * 32,)]
    assert new.execute(
        "select delivery_id, recipient_person_id from nudges.delivery_log order by 1"
    ).fetchall() == [("d0", "n" * 32), ("d1", None)]
