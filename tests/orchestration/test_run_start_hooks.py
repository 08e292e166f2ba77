"""Dagster runs call the runner's start-of-run and after-build hooks (issue 14).

`outcomes run` refuses a foreign salt, clears what a killed run left and
finishes recorded erasures before it loads (outcomes.privacy.run_start); a
Dagster materialization must do the same, in the same places: a changed
salt is refused before any row is written, and an erasure recorded but not
carried out is finished by the next Dagster run, its rebuild included. The
weekly retention job keys its audit entry with the warehouse's salt, as
`outcomes privacy retention` does, and refuses another salt.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import outcomes.privacy.rights as rights
from outcomes.privacy.audit import AuditLog, audit_key
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.rights import erase_person, export_person
from tests.conftest import DEMO_SALT
from tests.orchestration.conftest import Materialized, settings_for
from tests.privacy.helpers import tables_naming

OTHER_SALT = "another-salt-for-this-warehouse-0123"


def _copy(materialized: Materialized, root: Path) -> Path:
    """The materialized demo (warehouse, dlt state, salt, exports, audit log) in `root`."""
    root.mkdir()
    source = materialized.root
    for name in ("outcomes.duckdb", "outcomes.salt"):
        shutil.copy(source / name, root / name)
    for name in ("outcomes_privacy_audit.jsonl", "outcomes_privacy_audit.head"):
        if (source / name).exists():
            shutil.copy(source / name, root / name)
    shutil.copytree(source / ".dlt_outcomes", root / ".dlt_outcomes")
    shutil.copytree(source / "outcomes_demo_exports", root / "outcomes_demo_exports")
    return root / "outcomes.duckdb"


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """Each failed step's error, with the errors that caused it."""
    found = []
    for event in result.all_events:
        if event.event_type != dg.DagsterEventType.STEP_FAILURE:
            continue
        error, messages = event.event_specific_data.error, []
        while error is not None:
            messages.append(error.message)
            error = error.cause
        found.append("\n".join(messages))
    return found


def test_a_dagster_load_under_another_salt_is_refused(materialized: Materialized, tmp_path):
    from orchestration.definitions import build_definitions

    assert materialized.result.success
    warehouse = _copy(materialized, tmp_path / "salted")
    people = "select count(*), sum(hash(person_key)) from identity.people_identity"
    before = _query(warehouse, people)
    (tmp_path / "salted" / "outcomes.salt").write_text(OTHER_SALT + "\n")  # the salt changed

    defs = build_definitions(settings_for(tmp_path / "salted"))
    roster = [
        key
        for key in defs.resolve_asset_graph().get_all_asset_keys()
        if key.path[0] in {"raw_roster", "identity"}
    ]
    result = defs.get_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=roster, raise_on_error=False
    )

    assert not result.success
    (message,) = _failures(result)
    assert "the pseudonym salt is not the one the warehouse" in message
    assert "outcomes privacy rotate-salt" in message
    # nothing was written: the same people under the same pseudonyms, not twice as many
    assert _query(warehouse, people) == before


# Its rebuild runs the models only (tests/conftest.py says why).
@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")
def test_a_dagster_run_finishes_a_recorded_erasure(materialized: Materialized, tmp_path):
    from orchestration.definitions import build_definitions

    assert materialized.result.success
    warehouse = _copy(materialized, tmp_path / "erasing")
    ((email,),) = _query(
        warehouse,
        "select identity.email from identity.people_identity as identity "
        "inner join raw_github.users as github on github.person_key = identity.person_key "
        "order by identity.person_key limit 1",
    )
    held = export_person(warehouse, email, DEMO_SALT)
    keys = {held["person"]["person_key"]}
    keys |= {k for ks in held["account_keys"].values() for k in ks}
    assert {"marts.dim_people", "marts.fct_work_events"} <= set(held["tables"])

    class Killed(BaseException):
        """A SIGKILL right after the erasure was recorded: nothing runs on."""

    recorded = rights._request

    def killed_after_recording(*args, **kwargs):
        recorded(*args, **kwargs)
        raise Killed

    with pytest.MonkeyPatch.context() as kill:
        kill.setattr(rights, "_request", killed_after_recording)
        with pytest.raises(Killed):
            erase_person(warehouse, email, DEMO_SALT, actor="dpo")
    assert tables_naming(warehouse, keys) != {}  # recorded, not carried out

    defs = build_definitions(settings_for(tmp_path / "erasing"))
    result = defs.get_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )

    assert result.success, _failures(result)
    assert tables_naming(warehouse, keys) == {}  # raw, identity, marts: nobody names them
    log = audit_log_for(warehouse, DEMO_SALT)
    erasure = [e["action"] for e in log.entries() if e["action"].startswith("privacy.erase")]
    assert erasure == ["privacy.erase_requested", "privacy.erase", "privacy.erase_completed"]
    assert log.verify() == []
    assert _query(
        warehouse, "select count(*), count(completed_at) from privacy.erasure_requests"
    ) == [(1, 1)]


def _run_retention(warehouse: Path, root: Path) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import build_definitions
    from orchestration.settings import OutcomesSettings

    settings = OutcomesSettings(config_file=str(root / "no-outcomes.yml"), warehouse=str(warehouse))
    job = build_definitions(settings).get_job_def("retention")
    return job.execute_in_process(
        run_config={"ops": {"apply_retention": {"config": {"rebuild": False}}}},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_the_retention_job_keys_its_audit_entry_with_the_warehouse_salt(
    materialized: Materialized, tmp_path, monkeypatch
):
    assert materialized.result.success
    warehouse = _copy(materialized, tmp_path / "kept")
    log_path = audit_log_for(warehouse).path
    entries = len(AuditLog(log_path).entries())

    result = _run_retention(warehouse, tmp_path / "kept")

    assert result.success, _failures(result)
    log = AuditLog(log_path, audit_key(DEMO_SALT))
    assert len(log.entries()) == entries + 1
    entry = log.entries()[-1]
    assert (entry["action"], entry.get("keyed", True)) == ("privacy.retention", True)
    assert log.check().problems == []

    # the configured salt is another one: refused like the CLI's, nothing logged
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", OTHER_SALT)
    refused = _run_retention(warehouse, tmp_path / "kept")
    assert not refused.success
    (message,) = _failures(refused)
    assert "the pseudonym salt is not the one the warehouse" in message
    assert len(log.entries()) == entries + 1
    assert log.check().problems == []
