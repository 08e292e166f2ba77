"""The roster's history under the privacy commands (docs/privacy.md): it holds
pseudonyms only; export and erase reach it; a salt rotation carries it
re-keyed (what the exports no longer hold included) and leaves the erased
behind; retention drops the versions superseded before the window."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from outcomes.privacy.pseudonym import pseudonymize
from outcomes.privacy.retention import apply_retention
from outcomes.privacy.rights import erase_person, export_person
from outcomes.privacy.rotation import carry_history
from tests.conftest import DEMO_SALT
from tests.privacy.helpers import tables_naming
from tests.roster.test_team_history import ADA_PAYMENTS, ADA_PLATFORM, BO, key, load, rows, write

# Rebuilds here run the models only (tests/conftest.py says why).
pytestmark = pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")

HISTORY = "raw_roster.user_versions"


def test_the_history_holds_pseudonyms_only_and_erase_and_export_reach_it(demo_warehouse, tmp_path):
    copy = demo_warehouse.copy_to(tmp_path)
    email = demo_warehouse.manifest["planted"]["team_move"]["email"]
    person = pseudonymize(email, DEMO_SALT, "email", "roster")
    # no column of the history holds anything but pseudonyms, dates and flags
    for (value,) in copy.query(
        f"select distinct scim_user_key from {HISTORY} union all "
        f"select distinct person_key from {HISTORY}"
    ):
        assert re.fullmatch(r"[0-9a-f]{32}", value)
    assert copy.query(f"select count(*) from {HISTORY} where person_key = ?", [person]) == [(2,)]

    exported = export_person(copy.path, email, DEMO_SALT)
    assert len(exported["tables"][HISTORY]) == 2
    assert {r["team_name"] for r in exported["tables"][HISTORY]} == {"Payments", "Platform"}

    erased = erase_person(copy.path, email, DEMO_SALT, rebuild=False)
    assert erased["deleted"][HISTORY] == 2
    keys = {person, *(k for ks in exported["account_keys"].values() for k in ks)}
    raw_left = {t for t in tables_naming(copy.path, keys) if t.startswith(("raw_", "identity"))}
    assert raw_left == set()


def test_rotation_carries_the_history_re_keyed_and_leaves_the_unmatched_behind(tmp_path):
    old = tmp_path / "old.duckdb"
    # Two runs: Ada's Platform version is history no export holds any more.
    load(write(tmp_path / "run1", [ADA_PLATFORM, BO]), old, dt.datetime(2026, 5, 3))
    load(write(tmp_path / "run2", [ADA_PAYMENTS]), old, dt.datetime(2026, 6, 11))
    pairs = {
        key("u-ada", "account"): "a" * 32,
        key("ada@acme.example", "email"): "b" * 32,
    }  # Bo is in no export now (or erased): no new pseudonym
    new = tmp_path / "new.duckdb"
    con = duckdb.connect(str(new))
    try:
        carried = carry_history(con, old, pairs)
    finally:
        con.close()
    assert carried == {HISTORY: 2}
    assert sorted(rows(new, f"select scim_user_key, person_key, team_name from {HISTORY}")) == [
        ("a" * 32, "b" * 32, "Payments"),
        ("a" * 32, "b" * 32, "Platform"),
    ]
    old_keys = {key("u-ada", "account"), key("u-bo", "account"), key("bo@acme.example", "email")}
    assert tables_naming(new, old_keys | set(pairs)) == {}


def test_retention_drops_versions_superseded_before_the_window(tmp_path):
    """Roster retention is 396 days. Now = 2027-08-01: the cutoff is 2026-07-01.
    Ada's Platform version (05-01) was superseded on 06-10, before the cutoff:
    it describes only expired time and goes. Her Payments version stays (the
    current one never expires), and so does Bo's only version."""
    warehouse = tmp_path / "outcomes.duckdb"
    load(write(tmp_path / "run1", [ADA_PLATFORM, BO]), warehouse, dt.datetime(2026, 5, 3))
    load(write(tmp_path / "run2", [ADA_PAYMENTS, BO]), warehouse, dt.datetime(2026, 6, 11))
    deleted = apply_retention(warehouse, dt.datetime(2027, 8, 1), salt=DEMO_SALT)
    assert deleted.get(HISTORY) == 1
    assert sorted(rows(warehouse, f"select team_name from {HISTORY}")) == [
        ("Payments",),
        ("Support",),
    ]
    # a version superseded inside the window stays: nothing more to drop
    assert apply_retention(warehouse, dt.datetime(2027, 8, 1), salt=DEMO_SALT).get(HISTORY) is None


def test_retention_keeps_a_version_whose_successor_takes_effect_inside_the_window(tmp_path):
    """A move recorded before the cutoff (2026-06-10) but effective after it
    (2026-07-15, the HRIS's team_since): the old team still holds the time
    up to the move, inside the window, so its version stays."""
    future = {
        **ADA_PAYMENTS,
        "schemas": ["urn:outcomes:params:scim:schemas:extension:team:1.0:User"],
        "urn:outcomes:params:scim:schemas:extension:team:1.0:User": {"teamSince": "2026-07-15"},
    }
    warehouse = tmp_path / "outcomes.duckdb"
    load(write(tmp_path / "run1", [ADA_PLATFORM]), warehouse, dt.datetime(2026, 5, 3))
    load(write(tmp_path / "run2", [future]), warehouse, dt.datetime(2026, 6, 11))
    assert apply_retention(warehouse, dt.datetime(2027, 8, 1), salt=DEMO_SALT).get(HISTORY) is None
    assert rows(warehouse, f"select count(*) from {HISTORY}") == [(2,)]
