"""`outcomes privacy rotate-salt`: a deliberate rotation re-pseudonymizes
everything under the new salt, erasures included (issue 14)."""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

from outcomes.cli_privacy import privacy
from outcomes.errors import OutcomesError
from outcomes.privacy.people import audit_log_for
from outcomes.privacy.pseudonym import pseudonymize
from outcomes.privacy.rights import erase_person
from outcomes.privacy.rotation import rotate_salt
from outcomes.privacy.salt import check_salt, salt_fingerprint
from outcomes.runner import demo_config, run
from tests.conftest import DEMO_SALT
from tests.privacy.helpers import raw_dump, tables_naming

NEW_SALT = b"the-rotated-salt-0123456789abcdef"


def _counts(copy) -> dict[str, int]:
    return {
        table: copy.query(f"select count(*) from {table}")[0][0]
        for table in (
            "marts.dim_people",
            "identity.people_identity",
            "raw_github.users",
            "raw_github.pull_requests",
            "marts.fct_work_events",
            "privacy.erasures",
        )
    }


@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")  # tests/conftest.py
def test_rotation_re_pseudonymizes_everything_and_keeps_the_erased_erased(demo_warehouse, tmp_path):
    copy = demo_warehouse.copy_to(tmp_path)
    (email,) = copy.query(
        "select identity.email from identity.people_identity as identity "
        "inner join raw_github.users as github on github.person_key = identity.person_key "
        "order by identity.person_key limit 1"
    )[0]
    erase_person(copy.path, email, DEMO_SALT, rebuild=False)
    config = demo_config(copy.exports, copy.path)
    run(config, DEMO_SALT)  # erased and rebuilt: the state a rotation starts from
    before = _counts(copy)
    old_keys = {k for (k,) in copy.query("select person_id from marts.dim_people")}
    # The roster's history holds what no export holds any more (a version an
    # earlier run saw): the rotation carries it, re-keyed. Same team, older:
    # the team spells and every figure stay as they are.
    con = duckdb.connect(str(copy.path))
    try:
        con.execute(
            "insert into raw_roster.user_versions select * replace "
            "(timestamp '2001-01-01 00:00:00' as last_modified_at) from raw_roster.user_versions "
            "where person_key = (select max(person_key) from raw_roster.user_versions) limit 1"
        )
    finally:
        con.close()
    history = copy.query("select count(*) from raw_roster.user_versions")[0][0]

    result = rotate_salt(config, DEMO_SALT, NEW_SALT, actor="dpo")

    assert copy.query("select count(*) from raw_roster.user_versions") == [(history,)]
    carried = copy.query(
        "select person_key from raw_roster.user_versions "
        "where last_modified_at = timestamp '2001-01-01 00:00:00'"
    )
    assert len(carried) == 1 and carried[0][0] not in old_keys

    # Same people, same figures, every pseudonym new; the erased person still gone.
    assert _counts(copy) == before
    new_keys = {k for (k,) in copy.query("select person_id from marts.dim_people")}
    assert len(new_keys) == len(old_keys) and not new_keys & old_keys
    assert result["erasures_carried"] == before["privacy.erasures"]
    assert result["erasures_dropped"] == 0
    assert tables_naming(copy.path, old_keys) == {}
    erased_key = pseudonymize(email, NEW_SALT, "email", "roster")
    assert tables_naming(copy.path, {erased_key}) == {}
    assert copy.query("select count(*) from identity.people_identity where email = ?", [email]) == [
        (0,)
    ]
    # The warehouse is the new salt's: the old one is refused, the new one runs,
    # a rerun brings nobody back.
    assert copy.query("select fingerprint from privacy.salt_fingerprint") == [
        (salt_fingerprint(NEW_SALT),)
    ]
    with pytest.raises(OutcomesError, match="not the one the warehouse"):
        check_salt(copy.path, DEMO_SALT)
    dump = raw_dump(copy.path)
    run(config, NEW_SALT, skip_build=True)
    assert tables_naming(copy.path, {erased_key}) == {}
    assert set(raw_dump(copy.path)) == set(dump)
    # The audit log, re-signed, verifies under the new key only.
    log = audit_log_for(copy.path, NEW_SALT)
    assert log.verify() == []
    assert [e["action"] for e in log.entries()].count("privacy.salt_rotated") == 1
    assert audit_log_for(copy.path, DEMO_SALT).verify() != []
    # Nothing of the old warehouse is left beside it.
    assert not list(copy.path.parent.glob("*.pre-rotation"))


@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")  # tests/conftest.py
def test_a_failed_rotation_is_undone(demo_warehouse, tmp_path, monkeypatch):
    import outcomes.runner

    copy = demo_warehouse.copy_to(tmp_path)
    before = raw_dump(copy.path)
    log_before = (
        audit_log_for(copy.path, DEMO_SALT).path.read_bytes()
        if (audit_log_for(copy.path).path.exists())
        else b""
    )

    def broken(*args, **kwargs):
        raise OutcomesError("loading source 'jira' failed: disk full")

    monkeypatch.setattr(outcomes.runner, "run", broken)
    with pytest.raises(OutcomesError, match="rotation failed and was undone"):
        rotate_salt(demo_config(copy.exports, copy.path), DEMO_SALT, NEW_SALT)

    assert raw_dump(copy.path) == before
    assert check_salt(copy.path, DEMO_SALT) == "matched"
    assert audit_log_for(copy.path, DEMO_SALT).verify() == []
    assert audit_log_for(copy.path, DEMO_SALT).path.read_bytes().startswith(log_before)
    assert not list(copy.path.parent.glob("*.pre-rotation"))


@pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")  # tests/conftest.py
def test_rotate_salt_command_names_what_is_missing_in_one_line(
    demo_warehouse, tmp_path, monkeypatch
):
    copy = demo_warehouse.copy_to(tmp_path)
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", DEMO_SALT.decode())
    monkeypatch.delenv("NEW_SALT", raising=False)
    result = CliRunner().invoke(
        privacy,
        ["rotate-salt", "--new-salt-env", "NEW_SALT", "--yes", "--warehouse", str(copy.path)],
    )
    assert result.exit_code == 2
    assert result.output.strip() == "error: $NEW_SALT is not set: it must hold the new salt"
    monkeypatch.setenv("NEW_SALT", DEMO_SALT.decode())
    result = CliRunner().invoke(
        privacy,
        [
            "rotate-salt",
            "--new-salt-env",
            "NEW_SALT",
            "--yes",
            "--config",
            str(tmp_path / "absent.yml"),
            "--warehouse",
            str(copy.path),
        ],
    )
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "error: config file" in result.output
