"""A load, an erase and a build killed at each step end, once rerun, as a clean run does.

Each case runs the real command (`outcomes run`, `outcomes build`,
`outcomes privacy erase`) in a subprocess told to SIGKILL itself at one
fault point (`OUTCOMES_FAULT_AT`, outcomes/faults.py lists them), checks it
died there, reruns the same command without the fault and compares every
table of every schema with one clean, uninterrupted run of the same command
on the same inputs (tests/faults/state.py: columns, row count and an
order-independent checksum per table, run-time stamps normalised). The
audit log must hold the same actions and verify under its key.

One clean baseline per stage is made once for the module and copied by
every case: loaded (the demo exports of 40 people over 4 weeks), built,
erased. To keep the module within a few minutes the builds here leave out
dbt's data and unit tests (`DBT_EXCLUDE_RESOURCE_TYPES`): they write no
table, and the rest of the suite runs them on every model. Every build pins
its "now" (`OUTCOMES_AS_OF_UTC`), or the open work items' ages would differ
between any two builds.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from outcomes.demo import generate
from outcomes.privacy.audit import AuditLog, audit_key
from tests.conftest import DBT_TESTS_LEFT_OUT
from tests.faults.state import TableState, differences, warehouse_state
from tests.git.conftest import build_odd, build_web
from tests.privacy.helpers import tables_naming

pytestmark = pytest.mark.xdist_group("faults")

SALT = "fault-injection-salt-0123456789"
PEOPLE, WEEKS, SEED, END = 40, 4, 7, dt.date(2026, 11, 16)
AS_OF = "2026-11-16 12:00:00"
OUTCOMES = Path(sys.executable).parent / "outcomes"
WAREHOUSE = "outcomes.duckdb"
SOURCES = ("roster", "github", "jira", "pagerduty", "zendesk", "hubspot", "calendar")
ERASE_ACTIONS = ["privacy.erase_requested", "privacy.erase", "privacy.erase_completed"]


@dataclass(frozen=True)
class Stage:
    """A clean run's folder (warehouse, dlt state, audit log, dbt target) and what it holds."""

    folder: Path
    state: dict[str, TableState]
    actions: list[str]

    @property
    def warehouse(self) -> Path:
        return self.folder / WAREHOUSE


def _env(folder: Path, fault: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OUTCOMES_FAULT_AT"}
    env.update(
        OUTCOMES_PSEUDONYM_SALT=SALT,
        OUTCOMES_WAREHOUSE=str(folder / WAREHOUSE),
        OUTCOMES_AS_OF_UTC=AS_OF,
        DBT_EXCLUDE_RESOURCE_TYPES=DBT_TESTS_LEFT_OUT,
        DO_NOT_TRACK="1",
        RUNTIME__DLTHUB_TELEMETRY="false",
    )
    if fault:
        env["OUTCOMES_FAULT_AT"] = fault
    return env


def _outcomes(folder: Path, args: list[str], fault: str | None = None):
    return subprocess.run(
        [str(OUTCOMES), *args],
        cwd=folder,
        env=_env(folder, fault),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _ok(folder: Path, args: list[str]) -> None:
    done = _outcomes(folder, args)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]


def _killed(folder: Path, args: list[str], fault: str) -> None:
    done = _outcomes(folder, args, fault)
    assert done.returncode == -signal.SIGKILL, (
        f"expected to die at {fault}, exit {done.returncode}: "
        + done.stderr[-3000:]
        + done.stdout[-2000:]
    )


def _log(warehouse: Path) -> AuditLog:
    return AuditLog(
        warehouse.parent / f"{warehouse.stem}_privacy_audit.jsonl", audit_key(SALT.encode())
    )


def _actions(warehouse: Path) -> list[str]:
    return [entry["action"] for entry in _log(warehouse).entries()]


def _stage(folder: Path) -> Stage:
    return Stage(folder, warehouse_state(folder / WAREHOUSE), _actions(folder / WAREHOUSE))


def _copy(stage: Stage, folder: Path) -> Path:
    shutil.copytree(stage.folder, folder, ignore=shutil.ignore_patterns("*.lock", "*.wal"))
    return folder


def _assert_same(folder: Path, clean: Stage) -> None:
    assert differences(warehouse_state(folder / WAREHOUSE), clean.state) == []
    assert _actions(folder / WAREHOUSE) == clean.actions
    assert _log(folder / WAREHOUSE).check().problems == []


def _run(root: Path) -> list[str]:
    return ["run", "--config", str(root / "outcomes.yml"), "--skip-build"]


BUILD = ["build"]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("faults")
    exports = root / "exports"
    generate(exports, people=PEOPLE, weeks=WEEKS, seed=SEED, end_date=END)
    sources = "\n".join(f"  {name}:\n    path: {exports / name}" for name in SOURCES)
    (root / "outcomes.yml").write_text(f"sources:\n{sources}\n")
    return root


@pytest.fixture(scope="module")
def loaded(root) -> Stage:
    folder = root / "loaded"
    folder.mkdir()
    _ok(folder, _run(root))
    return _stage(folder)


@pytest.fixture(scope="module")
def built(root, loaded) -> Stage:
    folder = _copy(loaded, root / "built")
    _ok(folder, BUILD)
    return _stage(folder)


@dataclass(frozen=True)
class Person:
    email: str
    keys: set[str]  # their pseudonyms: email and every tool account


@pytest.fixture(scope="module")
def person(root, built) -> Person:
    """Someone with a roster record and a GitHub account, and every pseudonym naming them."""
    import duckdb

    from outcomes.privacy.rights import export_person

    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        ((email,),) = con.execute(
            "select identity.email from identity.people_identity as identity "
            "inner join raw_github.users as github on github.person_key = identity.person_key "
            "order by identity.person_key limit 1"
        ).fetchall()
    finally:
        con.close()
    scratch = _copy(built, root / "export_scratch")  # an export writes an audit entry
    held = export_person(scratch / WAREHOUSE, email, SALT.encode())
    keys = {held["person"]["person_key"]}
    keys |= {key for account in held["account_keys"].values() for key in account}
    assert {"marts.dim_people", "marts.fct_work_events", "raw_github.users"} <= set(held["tables"])
    return Person(email, keys)


def _erase(person: Person) -> list[str]:
    return ["privacy", "erase", "--email", person.email, "--yes"]


@pytest.fixture(scope="module")
def erased(root, built, person) -> Stage:
    folder = _copy(built, root / "erased")
    _ok(folder, _erase(person))
    stage = _stage(folder)
    assert tables_naming(stage.warehouse, person.keys) == {}
    assert stage.actions[-3:] == ERASE_ACTIONS
    return stage


# --- Load -------------------------------------------------------------------
# Kills in the roster (the first source, whose identity candidate holds
# emails), in GitHub (the second: the roster is then published, GitHub's
# batch half way; it has child tables and a quarantined record) and in Jira
# after its normalize (a pending package with its load not started).
LOAD_FAULTS = [
    "load.extracted@github",
    "load.normalized@jira",
    "load.landed@roster",
    "load.gated@github",
    "load.published@github",
]


@pytest.mark.parametrize("fault", LOAD_FAULTS)
def test_a_load_killed_reruns_to_the_clean_load(root, loaded, tmp_path, fault):
    folder = tmp_path / "warehouse"
    folder.mkdir()

    _killed(folder, _run(root), fault)
    _ok(folder, _run(root))

    _assert_same(folder, loaded)


# --- Git --------------------------------------------------------------------
# The git source reads clones, not exports, and quarantines bad commits and
# tags itself: `odd` holds ten bad records (tests/git/test_git_quarantine.py
# draws its history). Killed after its extract, and after its publish (the raw
# rows committed, the quarantine not yet written), the rerun must end where a
# clean load ends, its quarantine included.
GIT_FAULTS = ["load.extracted@git", "load.published@git"]
GIT_QUARANTINED = 10


@pytest.fixture(scope="module")
def git_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("git_faults")
    build_odd(root / "clones" / "odd")
    build_web(root / "clones" / "web")
    (root / "outcomes.yml").write_text(f"sources:\n  git:\n    path: {root / 'clones'}\n")
    return root


@pytest.fixture(scope="module")
def git_loaded(git_root) -> Stage:
    folder = git_root / "loaded"
    folder.mkdir()
    _ok(folder, _run(git_root))
    stage = _stage(folder)
    assert stage.state["quarantine.records"].rows == GIT_QUARANTINED
    return stage


@pytest.mark.parametrize("fault", GIT_FAULTS)
def test_a_git_load_killed_reruns_to_the_clean_load(git_root, git_loaded, tmp_path, fault):
    folder = tmp_path / "warehouse"
    folder.mkdir()

    _killed(folder, _run(git_root), fault)
    _ok(folder, _run(git_root))

    _assert_same(folder, git_loaded)


# --- Build ------------------------------------------------------------------
# After dim_people (seeds, staging and the people models built, the KPIs not)
# and after the weekly KPI mart (the report and scorecard models not built).
BUILD_FAULTS = ["build.node_done@dim_people", "build.node_done@fct_team_kpis_weekly"]


@pytest.mark.parametrize("fault", BUILD_FAULTS)
def test_a_build_killed_reruns_to_the_clean_build(loaded, built, tmp_path, fault):
    folder = _copy(loaded, tmp_path / "warehouse")

    _killed(folder, BUILD, fault)
    _ok(folder, BUILD)

    _assert_same(folder, built)


# --- Erase ------------------------------------------------------------------
# Each step, and each of its three audit entries written with the head not
# yet moved.
ERASE_FAULTS = [
    "erase.recorded",
    "audit.line_written@privacy.erase_requested",
    "erase.deleted",
    "audit.line_written@privacy.erase",
    "erase.rebuilt",
    "audit.line_written@privacy.erase_completed",
]


@pytest.mark.parametrize("fault", ERASE_FAULTS)
def test_an_erase_killed_reruns_to_the_clean_erase(built, erased, person, tmp_path, fault):
    folder = _copy(built, tmp_path / "warehouse")

    _killed(folder, _erase(person), fault)
    _ok(folder, _erase(person))

    assert tables_naming(folder / WAREHOUSE, person.keys) == {}
    actions = _actions(folder / WAREHOUSE)
    assert [a for a in actions if a.startswith("privacy.erase")] == ERASE_ACTIONS
    requests = {
        e["details"]["request"]
        for e in _log(folder / WAREHOUSE).entries()
        if e["action"].startswith("privacy.erase")
    }
    assert len(requests) == 1
    _assert_same(folder, erased)
