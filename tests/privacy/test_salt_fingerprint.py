"""A changed pseudonym salt is refused, never silently accepted (issue 14).

Under another salt every pseudonym changes: people would double in
dim_people and an erased person's tokens would no longer match, so they
would come back. The warehouse keeps a keyed fingerprint of its salt
(`privacy.salt_fingerprint`) and every run and privacy command compares it
before doing anything.
"""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

from outcomes.cli_privacy import privacy
from outcomes.errors import OutcomesError
from outcomes.privacy.salt import check_salt, salt_fingerprint
from outcomes.runner import demo_config, run
from tests.conftest import DEMO_SALT
from tests.privacy.helpers import raw_dump

# Rebuilds here run the models only (tests/conftest.py says why).
pytestmark = pytest.mark.usefixtures("rebuilds_leave_out_dbt_tests")

OTHER_SALT = b"another-salt-entirely-0123456789"


def _counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("marts.dim_people", "identity.people_identity", "privacy.erasures")
            if con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema || '.' || table_name = ?",
                [table],
            ).fetchone()[0]
        }
    finally:
        con.close()


def test_a_run_keeps_the_fingerprint_of_its_salt(demo_warehouse):
    rows = demo_warehouse.query("select fingerprint from privacy.salt_fingerprint")
    assert rows == [(salt_fingerprint(DEMO_SALT),)]
    assert salt_fingerprint(DEMO_SALT) != salt_fingerprint(OTHER_SALT)
    # It is keyed: neither the salt nor a plain hash of it.
    assert DEMO_SALT.decode() not in rows[0][0]


def test_a_run_under_another_salt_is_refused_before_anything_changes(demo_warehouse, tmp_path):
    copy = demo_warehouse.copy_to(tmp_path)
    before, counts = raw_dump(copy.path), _counts(copy.path)

    with pytest.raises(OutcomesError) as refused:
        run(demo_config(copy.exports, copy.path), OTHER_SALT)

    message = str(refused.value)
    assert "not the one the warehouse" in message
    assert "outcomes privacy rotate-salt --new-salt-env" in message
    assert "\n" not in message
    assert OTHER_SALT.decode() not in message and DEMO_SALT.decode() not in message
    assert "@" not in message  # no email, no personal value
    assert raw_dump(copy.path) == before
    assert _counts(copy.path) == counts
    # The right salt still runs (the check is no obstacle to a normal rerun).
    assert check_salt(copy.path, DEMO_SALT) == "matched"


def test_a_warehouse_made_before_fingerprints_is_checked_against_its_roster(
    demo_warehouse, tmp_path
):
    copy = demo_warehouse.copy_to(tmp_path)
    con = duckdb.connect(str(copy.path))
    con.execute("drop table privacy.salt_fingerprint")
    con.close()

    with pytest.raises(OutcomesError, match="roster's pseudonyms in identity"):
        check_salt(copy.path, OTHER_SALT)
    assert check_salt(copy.path, DEMO_SALT) == "recorded"
    assert copy.query("select fingerprint from privacy.salt_fingerprint") == [
        (salt_fingerprint(DEMO_SALT),)
    ]
    assert check_salt(copy.path, DEMO_SALT) == "matched"


def test_privacy_commands_refuse_another_salt_in_one_line(demo_warehouse, tmp_path, monkeypatch):
    copy = demo_warehouse.copy_to(tmp_path)
    (email,) = demo_warehouse.query("select min(email) from identity.people_identity")[0]
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_SALT", OTHER_SALT.decode())
    for args in (
        ["export", "--email", email],
        ["erase", "--email", email, "--yes"],
    ):
        result = CliRunner().invoke(privacy, [*args, "--warehouse", str(copy.path)])
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: the pseudonym salt is not")
        assert email not in result.output
    assert copy.query("select count(*) from identity.people_identity where email = ?", [email]) == [
        (1,)
    ]
