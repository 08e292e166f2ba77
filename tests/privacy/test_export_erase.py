"""The person's rights on the demo warehouse: export finds everything, erase
removes everything about the person and nothing else (docs/privacy.md#export-and-erasure)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest
from click.testing import CliRunner

from outcomes.cli_privacy import privacy
from outcomes.errors import OutcomesError
from outcomes.privacy.opt_out import load_opt_outs, opt_out_sources
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.pseudonym import pseudonymize
from outcomes.privacy.rights import erase_person, export_person
from tests.conftest import DEMO_SALT
from tests.privacy.helpers import raw_dump, tables_naming

# A GitHub user who manages others: rows in every kind of table, and roster
# rows of other people that name them as manager.
MANAGER_WITH_GITHUB = """
select identity.email
from identity.people_identity as identity
inner join raw_roster.users as roster on roster.person_key = identity.person_key
inner join raw_github.users as github on github.person_key = identity.person_key
where exists (
    select 1 from raw_roster.users as report
    where report.manager_scim_user_key = roster.scim_user_key
)
order by identity.email
limit 1
"""


@pytest.fixture(scope="module")
def manager_email(demo_warehouse) -> str:
    return demo_warehouse.query(MANAGER_WITH_GITHUB)[0][0]


def _keys(export: dict) -> set[str]:
    accounts = {k for keys in export["account_keys"].values() for k in keys}
    return {export["person"]["person_key"], *accounts}


@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")  # tests/conftest.py
def test_export_holds_every_row_that_names_the_person(demo_warehouse, manager_email, tmp_path):
    warehouse = demo_warehouse.copy_to(tmp_path).path
    # Upper case and spaces: the roster email is normalized like at ingest.
    export = export_person(warehouse, f"  {manager_email.upper()} ", DEMO_SALT, actor="dpo")

    assert export["person"]["email"] == manager_email
    person_key = pseudonymize(manager_email, DEMO_SALT, "email", "roster")
    assert export["person"]["person_key"] == person_key
    assert {"roster", "github"} <= set(export["account_keys"])
    keys = _keys(export)
    # Complete: the same tables and row counts as a scan of every text column
    # of every table for any of their keys.
    found = {table: len(rows) for table, rows in export["tables"].items()}
    assert found == tables_naming(warehouse, keys)
    assert {"identity.people_identity", "raw_github.users", "marts.dim_people"} <= set(found)
    assert {"marts.fct_work_events", "raw_roster.users"} <= set(found)
    # Precise: every exported row names them.
    for table, rows in export["tables"].items():
        for row in rows:
            values = {str(v).rsplit(":", 1)[-1] for v in row.values() if isinstance(v, str)}
            assert values & keys, f"{table}: a row that does not name the person"
    json.dumps(export)  # machine-readable as is

    (entry,) = audit_log_for(warehouse).entries()
    assert entry["action"] == "privacy.export"
    assert entry["actor"] == "dpo"
    assert entry["details"]["person"] == person_key
    assert entry["details"]["rows"] == sum(found.values())
    assert manager_email not in audit_log_for(warehouse).path.read_text().lower()


@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")  # tests/conftest.py
def test_export_command_writes_json_and_unknown_email_is_a_clear_error(
    demo_warehouse, manager_email, tmp_path, monkeypatch
):
    warehouse = demo_warehouse.copy_to(tmp_path).path
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", DEMO_SALT.decode())
    out = tmp_path / "export.json"
    runner = CliRunner()
    ok = runner.invoke(
        privacy,
        ["export", "--email", manager_email, "--out", str(out), "--warehouse", str(warehouse)],
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(out.read_text())["person"]["email"] == manager_email

    missing = runner.invoke(
        privacy, ["export", "--email", "nobody@nowhere.example", "--warehouse", str(warehouse)]
    )
    assert missing.exit_code == 2
    assert "no person with that email" in missing.output
    # Only the successful export is logged.
    assert [e["action"] for e in audit_log_for(warehouse).entries()] == ["privacy.export"]
    with pytest.raises(OutcomesError, match="no person with that email"):
        export_person(warehouse, "nobody@nowhere.example", DEMO_SALT)


@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")  # tests/conftest.py
def test_erase_removes_the_person_everywhere_and_changes_nobody_else(
    demo_warehouse, manager_email, tmp_path
):
    warehouse = demo_warehouse.copy_to(tmp_path).path
    export = export_person(warehouse, manager_email, DEMO_SALT)
    keys = _keys(export)
    scim_keys = set(export["account_keys"]["roster"])
    opt_out_file = tmp_path / "opt_out.csv"
    opt_out_file.write_text(f"email\n{manager_email}\n")
    load_opt_outs(warehouse, DEMO_SALT, opt_out_file)
    before = raw_dump(warehouse)

    result = erase_person(warehouse, manager_email, DEMO_SALT, actor="dpo")

    # Nothing names them any more, in any column of any table (raw, models).
    assert tables_naming(warehouse, keys) == {}
    after = raw_dump(warehouse)
    assert set(after) == set(before)
    for table, (names, rows) in before.items():
        expected: Counter = Counter()
        for row, count in rows.items():
            values = {v for v in row if isinstance(v, str)}
            if not values & keys:
                expected[row] += count  # not about them: byte-identical
            elif (
                table.startswith("raw_roster")
                and not (values - scim_keys) & keys
                and (
                    row[names.index("manager_scim_user_key")] in scim_keys
                    and row[names.index("person_key")] not in keys
                )
            ):
                # A direct report's roster row: kept, the manager link cut.
                unlinked = list(row)
                unlinked[names.index("manager_scim_user_key")] = None
                expected[tuple(unlinked)] += count
        assert after[table] == (names, expected), table
    assert result["unlinked"]["raw_roster.users.manager_scim_user_key"] >= 1
    assert result["deleted"]["identity.people_identity"] == 1
    assert result["deleted"]["privacy.opt_outs"] == len(opt_out_sources())
    # The marts held them before, so the empty scan above proves the rebuild.
    assert {"marts.dim_people", "marts.fct_work_events"} <= set(export["tables"])

    log = audit_log_for(warehouse)
    # Recorded first, then carried out, then complete once the models are rebuilt.
    assert [e["action"] for e in log.entries()] == [
        "privacy.export",
        "privacy.opt_outs_loaded",
        "privacy.erase_requested",
        "privacy.erase",
        "privacy.erase_completed",
    ]
    for entry in log.entries()[2:]:
        assert entry["details"]["person"] == export["person"]["person_key"]
    assert log.verify() == []
    with pytest.raises(OutcomesError, match="no person with that email"):
        export_person(warehouse, manager_email, DEMO_SALT)


# Columns a reload rewrites whatever the data: when and by which dlt load.
RELOAD_COLUMNS = {"_outcomes_loaded_at", "_dlt_load_id", "_dlt_id"}


def _without_reload_columns(dump: dict) -> dict[str, Counter]:
    out = {}
    for table, (names, rows) in dump.items():
        if table.rsplit(".", 1)[-1].startswith("_dlt"):
            continue
        keep = [i for i, n in enumerate(names) if n not in RELOAD_COLUMNS]
        counted: Counter = Counter()
        for row, count in rows.items():
            counted[tuple(row[i] for i in keep)] += count
        out[table] = counted
    return out


@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")  # tests/conftest.py
def test_a_reload_of_the_same_exports_does_not_bring_an_erased_person_back(
    demo_warehouse, manager_email, tmp_path
):
    """Erase, then run the data path again on the very same demo exports: the
    loaders drop the person's rows (counted as erased, not quarantined), so
    nothing names them anywhere and everyone else's raw rows are as erase left
    them (a direct report's manager link stays cut)."""
    from outcomes.runner import demo_config, run
    from outcomes.summary import erased_rows
    from pipelines.common.load import pipelines_dir

    copy = demo_warehouse.copy_to(tmp_path / "wh")
    keys = _keys(export_person(copy.path, manager_email, DEMO_SALT))
    # A load package an older version left behind: dlt's copy of loaded rows.
    leftover = pipelines_dir(copy.path) / "old" / "load" / "loaded" / "1" / "completed_jobs"
    leftover.mkdir(parents=True)
    (leftover / "users.parquet").write_bytes(b"rows")
    erase_person(copy.path, manager_email, DEMO_SALT, rebuild=False)
    assert not any(leftover.iterdir())
    erased_state = _without_reload_columns(raw_dump(copy.path))
    # The list names nobody: no email, no pseudonym, one token per pseudonym.
    tokens = copy.query("select erasure_token from privacy.erasures")
    assert len(tokens) == len(keys)
    assert not {t for (t,) in tokens} & keys

    # A plain rerun does not read unchanged exports again; a full refresh
    # reads every record, so the erasure list must hold them back at ingest.
    config = demo_config(copy.exports, copy.path)
    config = replace(config, sources=tuple(replace(s, full_refresh=True) for s in config.sources))
    summary = run(config, DEMO_SALT)

    assert tables_naming(copy.path, keys) == {}
    # The reload kept no copies of what it loaded either.
    packages = pipelines_dir(copy.path).glob("*/load/loaded/*/completed_jobs/*")
    assert [p for p in packages if p.is_file()] == []
    with pytest.raises(OutcomesError, match="no person with that email"):
        export_person(copy.path, manager_email, DEMO_SALT)
    assert _without_reload_columns(raw_dump(copy.path)) == erased_state
    erased = {load.source: erased_rows(load) for load in summary.loads}
    # Their roster row, their team-history version and their identity row,
    # and their GitHub user and activity.
    assert erased["roster"] == 3
    assert erased["github"] >= 2
    first = {load.source: load.quarantined for load in demo_warehouse.first_run.loads}
    assert {load.source: load.quarantined for load in summary.loads} == first
