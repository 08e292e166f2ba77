"""A run killed during the roster's gate leaves `candidate_identity`, which
holds emails: export and erase reach it, and the next run drops it (issue 14)."""

from __future__ import annotations

import pytest

from outcomes.config import Config, SourceConfig
from outcomes.privacy.pseudonym import pseudonymize
from outcomes.privacy.rights import erase_person, export_person
from outcomes.runner import run
from tests.conftest import DEMO_SALT, DemoWarehouse
from tests.privacy.helpers import tables_naming

# Rebuilds here run the models only (tests/conftest.py says why).
pytestmark = pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")


class Killed(BaseException):
    """What a SIGKILL looks like to the code after it: nothing runs on."""


def _kill_during_roster_gate(copy):
    import pipelines.common.load as load

    def killed(*args, **kwargs):
        raise Killed

    # full_refresh: the demo read these exports already; the premise is a load that lands
    roster = SourceConfig("roster", copy.exports / "roster", full_refresh=True)
    config = Config(copy.path, (roster,))
    # a context of its own: undoing the kill must not undo the test's other patches
    with pytest.MonkeyPatch.context() as kill:
        kill.setattr(load, "gate_source", killed)
        with pytest.raises(Killed):
            run(config, DEMO_SALT, skip_build=True)
    schemas = {s for (s,) in copy.query("select schema_name from information_schema.schemata")}
    assert "candidate_identity" in schemas


@pytest.fixture
def person(demo_warehouse):
    (email,) = demo_warehouse.query(
        "select email from identity.people_identity order by person_key limit 1"
    )[0]
    return email


@pytest.mark.parametrize("first_load", [False, True], ids=["reload", "first-load"])
def test_export_and_erase_reach_a_leftover_identity_candidate(
    demo_warehouse, person, tmp_path, first_load
):
    copy = demo_warehouse.copy_to(tmp_path)
    if first_load:  # a new warehouse: the roster was never published, the candidate alone holds it
        copy = DemoWarehouse(tmp_path / "new.duckdb", copy.exports, copy.manifest, copy.first_run)
    _kill_during_roster_gate(copy)
    person_key = pseudonymize(person, DEMO_SALT, "email", "roster")

    export = export_person(copy.path, person, DEMO_SALT)
    assert export["person"]["person_key"] == person_key
    assert "candidate_identity.people_identity" in export["tables"]
    assert "candidate_raw_roster.users" in export["tables"]
    keys = {person_key, *(k for ks in export["account_keys"].values() for k in ks)}

    erase_person(copy.path, person, DEMO_SALT, rebuild=False)

    assert copy.query(
        "select count(*) from candidate_identity.people_identity where email = ?", [person]
    ) == [(0,)]
    naming = tables_naming(copy.path, keys)
    assert not {t for t in naming if t.startswith("candidate_")}, naming


def test_the_next_run_drops_a_leftover_identity_candidate(demo_warehouse, tmp_path):
    copy = demo_warehouse.copy_to(tmp_path)
    _kill_during_roster_gate(copy)

    # The next run, whatever it loads (here: nothing but the opt-out list).
    run(Config(copy.path, ()), DEMO_SALT, skip_build=True)

    schemas = {s for (s,) in copy.query("select schema_name from information_schema.schemata")}
    assert not {s for s in schemas if s.startswith("candidate_identity")}
