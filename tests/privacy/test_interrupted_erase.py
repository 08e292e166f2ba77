"""An erase killed at any point is finished by the next erase or run (issue 14).

Erasure is recorded first (the erasure list entry, an erasure request and
the audit entry `privacy.erase_requested`), then carried out; whatever
interrupts it, the next `outcomes privacy erase` or `outcomes run` completes
it: nothing names the person anywhere (raw, identity, marts) and the audit
log holds each step once.
"""

from __future__ import annotations

import pytest

import outcomes.build
import outcomes.privacy.rights as rights
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.rights import erase_person, export_person
from tests.conftest import DEMO_SALT
from tests.privacy.helpers import tables_naming

# Rebuilds here run the models only (tests/conftest.py says why).
pytestmark = pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")


class Killed(BaseException):
    """What a SIGKILL looks like to the code after it: nothing runs on."""


def _raise(*args, **kwargs):
    raise Killed


def _after(function):
    def wrapped(*args, **kwargs):
        function(*args, **kwargs)
        raise Killed

    return wrapped


KILL_POINTS = {
    # the erasure list and the request committed, nothing deleted yet
    "recorded": lambda mp: mp.setattr(rights, "_request", _after(rights._request)),
    # the deletes committed, dlt's package copies and the audit entry not yet written
    "deleted": lambda mp: mp.setattr(rights, "purge_loaded_packages", _raise),
    # everything but the rebuild: the marts still hold the person
    "rebuilding": lambda mp: mp.setattr(outcomes.build, "build", _raise),
}


@pytest.fixture(scope="module")
def email(demo_warehouse) -> str:
    (found,) = demo_warehouse.query(
        "select identity.email from identity.people_identity as identity "
        "inner join raw_github.users as github on github.person_key = identity.person_key "
        "order by identity.person_key limit 1"
    )[0]
    return found


def _killed_erase(copy, email, monkeypatch, point) -> set[str]:
    export = export_person(copy.path, email, DEMO_SALT)
    keys = {export["person"]["person_key"]}
    keys |= {k for ks in export["account_keys"].values() for k in ks}
    assert {"marts.dim_people", "marts.fct_work_events"} <= set(export["tables"])
    # a context of its own: undoing the kill must not undo the test's other patches
    with pytest.MonkeyPatch.context() as kill:
        KILL_POINTS[point](kill)
        with pytest.raises(Killed):
            erase_person(copy.path, email, DEMO_SALT, actor="dpo")
    return keys


def _assert_complete(copy, keys):
    assert tables_naming(copy.path, keys) == {}
    log = audit_log_for(copy.path)
    erasure = [e for e in log.entries() if e["action"].startswith("privacy.erase")]
    assert [e["action"] for e in erasure] == [
        "privacy.erase_requested",
        "privacy.erase",
        "privacy.erase_completed",
    ]
    assert len({e["details"]["request"] for e in erasure}) == 1
    assert log.verify() == []
    assert copy.query(
        "select count(*) from privacy.erasure_requests "
        "where completed_at is null or person_key is not null"
    ) == [(0,)]


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_the_next_erase_finishes_an_interrupted_one(
    demo_warehouse, email, tmp_path, monkeypatch, point
):
    copy = demo_warehouse.copy_to(tmp_path)
    keys = _killed_erase(copy, email, monkeypatch, point)

    result = erase_person(copy.path, email, DEMO_SALT, actor="dpo")

    assert result["person"] in keys
    assert result["deleted"]["identity.people_identity"] == 1
    _assert_complete(copy, keys)
    # and once complete, another erase of them says so, in one line, naming nobody
    with pytest.raises(rights.OutcomesError, match="already erased") as again:
        erase_person(copy.path, email, DEMO_SALT)
    assert email not in str(again.value)


def test_the_next_run_finishes_an_interrupted_erase(demo_warehouse, email, tmp_path, monkeypatch):
    from outcomes.runner import demo_config, run

    copy = demo_warehouse.copy_to(tmp_path)
    keys = _killed_erase(copy, email, monkeypatch, "deleted")

    run(demo_config(copy.exports, copy.path), DEMO_SALT)

    _assert_complete(copy, keys)
