"""`outcomes privacy rotate-salt` with a source read from its API (issue 14).

It used to refuse: a rotation reloads every source from its exports. An API
source is re-pseudonymized the same way, from the API: pulled in full once
under the current salt in memory, to carry the erasure list over, then
loaded in full under the new salt. Its cursors stay valid: the next run
asks the API only for what changed since the rotation's pull.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from outcomes.config import Config, SourceConfig
from outcomes.demo import generate
from outcomes.privacy.pseudonym import pseudonymize
from outcomes.privacy.rights import erase_person
from outcomes.privacy.rotation import rotate_salt
from outcomes.privacy.salt import check_salt
from outcomes.runner import run
from outcomes.simulators import simulator_class
from tests.api.conftest import api_config, credentials
from tests.privacy.helpers import tables_naming

OLD_SALT = b"the-salt-before-rotation-0123456789"
NEW_SALT = b"the-rotated-salt-0123456789abcdef"


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _rows(warehouse: Path, table: str) -> list[tuple]:
    return sorted(_query(warehouse, f"select * exclude (_outcomes_loaded_at) from {table}"))


# The rotation's rebuild runs the models only (tests/conftest.py says why).
@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")
def test_rotation_re_pulls_an_api_source_and_keeps_its_cursors_valid(tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    generate(exports, people=40, weeks=4, seed=7)
    warehouse = tmp_path / "outcomes.duckdb"
    with simulator_class("pagerduty")(exports / "pagerduty") as simulator:
        for key, value in credentials("pagerduty", simulator).items():
            monkeypatch.setenv(key, value)
        config = Config(
            warehouse,
            (SourceConfig("roster", exports / "roster"), api_config("pagerduty", simulator)),
        )
        simulator.clear_log()
        run(config, OLD_SALT, skip_build=True)
        full_pull = [t for t in simulator.requests if t.startswith("/incidents?since")]
        # someone on call is erased (rows deleted, their tokens on the erasure list)
        ((email,),) = _query(
            warehouse,
            "select identity.email from identity.people_identity as identity inner join "
            "raw_pagerduty.users as pd on pd.person_key = identity.person_key "
            "order by identity.person_key limit 1",
        )
        account = next(u["id"] for u in simulator.users if u.get("email") == email)
        old_keys = {k for (k,) in _query(warehouse, "select user_key from raw_pagerduty.users")}
        assert pseudonymize(account, OLD_SALT, "account", "pagerduty") in old_keys
        erase_person(warehouse, email, OLD_SALT, rebuild=False)
        incidents = len(_rows(warehouse, "raw_pagerduty.incidents"))
        ((tokens,),) = _query(warehouse, "select count(*) from privacy.erasures")

        result = rotate_salt(config, OLD_SALT, NEW_SALT, actor="dpo")

        assert (result["erasures_carried"], result["erasures_dropped"]) == (tokens, 0)
        check_salt(warehouse, NEW_SALT, record=False)  # the warehouse is the new salt's
        # everyone but the erased person, every pseudonym new
        new_users = {k for (k,) in _query(warehouse, "select user_key from raw_pagerduty.users")}
        assert len(new_users) == len(old_keys) - 1 and not new_users & old_keys
        assert tables_naming(warehouse, old_keys) == {}
        new_keys = {
            pseudonymize(account, NEW_SALT, "account", "pagerduty"),
            pseudonymize(email, NEW_SALT, "email", "roster"),
        }
        assert tables_naming(warehouse, new_keys) == {}  # still erased
        assert len(_rows(warehouse, "raw_pagerduty.incidents")) == incidents

        # the cursors are the rotation's pull: a rerun asks only for recent windows
        rotated = {
            t: _rows(warehouse, t) for t in ("raw_pagerduty.users", "raw_pagerduty.incidents")
        }
        simulator.clear_log()
        run(config, NEW_SALT, skip_build=True)
        windows = [t for t in simulator.requests if t.startswith("/incidents?since")]
        assert 0 < len(windows) < len(full_pull)
        assert {t: _rows(warehouse, t) for t in rotated} == rotated
