"""Runs that meet each other, and the mistakes a user makes at the door (issue 14).

Two runs on one warehouse used to meet mid-way: the second died with a raw
DuckDB IOException or a dlt message blaming credentials. Every command that
writes holds the warehouse's run lock (outcomes.run_lock): the second run
waits a bounded time, saying whom it waits for, or fails naming the run
that holds the warehouse (pid, command, start time). The holder here is a
real second process. A program outside Outcomes holding the file (a DuckDB
UI), a warehouse folder we may not write, an invalid date in outcomes.yml
and a demo too small for its teams are one clear line each, never a
traceback.
"""

from __future__ import annotations

import errno
import os
import pathlib
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from outcomes.cli import main
from outcomes.config import PROJECT_DIR
from outcomes.privacy.salt import check_salt
from outcomes.run_lock import LOCK_WAIT_ENV, lock_path, run_lock
from outcomes.warehouse import ensure_warehouse
from tests.conftest import DEMO_SALT
from tests.robustness.helpers import cli_env, process_env

HOLD_THE_LOCK = """
import sys
from pathlib import Path
from outcomes.run_lock import run_lock

with run_lock(Path(sys.argv[1]), "outcomes run", wait=0):
    print("held", flush=True)
    sys.stdin.readline()
"""

HOLD_THE_FILE = """
import sys
import duckdb

con = duckdb.connect(sys.argv[1])
print("open", flush=True)
sys.stdin.readline()
"""


OUTCOMES = str(Path(sys.executable).with_name("outcomes"))  # the installed command


def _holder(script: str, warehouse: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse)],
        cwd=PROJECT_DIR,
        env=process_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() in {"held", "open"}
    return process


def _release(process: subprocess.Popen) -> None:
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.wait(timeout=60) == 0


def _outcomes(args: list[str], **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [OUTCOMES, *args],
        cwd=PROJECT_DIR,
        env=process_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _config(tmp_path: Path, warehouse: Path) -> Path:
    (tmp_path / "roster").mkdir()
    config = tmp_path / "outcomes.yml"
    config.write_text(f"warehouse: {warehouse}\nsources:\n  roster:\n    path: roster\n")
    return config


def _fingerprinted(warehouse: Path) -> Path:
    ensure_warehouse(warehouse)
    check_salt(warehouse, DEMO_SALT)
    return warehouse


def test_a_second_run_says_which_run_holds_the_warehouse(tmp_path):
    warehouse = tmp_path / "w" / "outcomes.duckdb"
    config = _config(tmp_path, warehouse)
    holder = _holder(HOLD_THE_LOCK, warehouse)
    try:
        second = _outcomes(["run", "--config", str(config)], **{LOCK_WAIT_ENV: "0"})
        out, err = second.communicate(timeout=300)
    finally:
        _release(holder)

    assert second.returncode == 2, (out, err)
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: the warehouse {warehouse} is in use by pid {holder.pid} ")
    assert "`outcomes run`, started 20" in line and LOCK_WAIT_ENV in line
    assert not warehouse.exists()  # refused before anything was written


def test_a_second_run_waits_for_the_first_then_runs(tmp_path):
    warehouse = _fingerprinted(tmp_path / "outcomes.duckdb")
    opt_outs = tmp_path / "opt_out.csv"
    opt_outs.write_text("email\na@example.com\nb@example.com\n")
    holder = _holder(HOLD_THE_LOCK, warehouse)
    waiting = _outcomes(
        ["privacy", "load-opt-outs", "--warehouse", str(warehouse), "--file", str(opt_outs)],
        **{LOCK_WAIT_ENV: "600"},
    )
    try:
        note = waiting.stderr.readline()
        assert note.startswith(f"note: the warehouse {warehouse} is in use by pid {holder.pid} ")
        assert "waiting up to 600 s" in note
        assert waiting.poll() is None  # still waiting: the lock is held
    finally:
        _release(holder)
    out, err = waiting.communicate(timeout=300)

    assert waiting.returncode == 0, err
    assert out.strip() == f"2 people on the opt-out list ({opt_outs})"
    assert lock_path(warehouse).read_text() == ""  # released, nobody named


def test_the_lock_is_reentrant_and_names_its_holder(tmp_path):
    warehouse = tmp_path / "outcomes.duckdb"
    with run_lock(warehouse, "outcomes privacy rotate-salt"):
        with run_lock(warehouse, "outcomes run"):  # the rotation's own reload
            held = lock_path(warehouse).read_text()
        assert '"command": "outcomes privacy rotate-salt"' in held
        assert f'"pid": {os.getpid()}' in held
    assert lock_path(warehouse).read_text() == ""


def test_a_warehouse_held_by_another_program_is_named(tmp_path):
    warehouse = _fingerprinted(tmp_path / "outcomes.duckdb")
    config = _config(tmp_path, warehouse)
    holder = _holder(HOLD_THE_FILE, warehouse)  # a DuckDB UI, a notebook
    try:
        runs = [
            CliRunner().invoke(main, ["run", "--config", str(config)], env=cli_env()),
            CliRunner().invoke(
                main, ["privacy", "load-opt-outs", "--warehouse", str(warehouse)], env=cli_env()
            ),
        ]
    finally:
        _release(holder)

    for result in runs:
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        (line,) = result.output.strip().splitlines()
        assert line.startswith(f"error: the warehouse {warehouse} is open in another program")
        assert f"(pid {holder.pid})" in line


def test_a_warehouse_folder_we_may_not_write_is_named(tmp_path, monkeypatch):
    folder = tmp_path / "readonly"
    folder.mkdir()
    warehouse = folder / "outcomes.duckdb"
    config = _config(tmp_path, warehouse)
    if os.geteuid() != 0:
        folder.chmod(0o555)
    else:  # root writes anywhere: the folder refuses as a read-only one would
        real_open = pathlib.Path.open

        def refused(self, *args, **kwargs):
            if self.parent == folder:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "open", refused)
    try:
        result = CliRunner().invoke(main, ["run", "--config", str(config)], env=cli_env())
    finally:
        folder.chmod(0o755)

    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: cannot write in the warehouse folder {folder} (")
    assert "Permission denied" in line and "make the folder writable" in line


def test_an_invalid_date_in_outcomes_yml_names_the_setting(tmp_path):
    config = tmp_path / "outcomes.yml"
    config.write_text(
        "sources:\n  pagerduty:\n    api:\n      start_date: 2026-13-01\n"
        "  github:\n    path: .\n    since: 2026-02-30\n"
    )
    result = CliRunner().invoke(main, ["run", "--config", str(config)], env=cli_env())

    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    # sources are checked in load order: github's `since` first
    assert line == (
        f"error: {config}: source 'github' since: expected a date like 2026-01-31, got '2026-02-30'"
    )
    config.write_text("sources:\n  pagerduty:\n    api:\n      start_date: 2026-13-01\n")
    result = CliRunner().invoke(main, ["run", "--config", str(config)], env=cli_env())
    assert result.output.strip() == (
        f"error: {config}: source 'pagerduty' api.start_date: expected a date like "
        "2026-01-31, got '2026-13-01'"
    )


@pytest.mark.parametrize("command", ["generate", "demo"])
def test_a_demo_too_small_for_its_teams_is_a_usage_error(tmp_path, command):
    args = [command, "--people", "10"] + (["--out", str(tmp_path)] if command == "generate" else [])
    result = CliRunner().invoke(
        main, args, env=cli_env(OUTCOMES_WAREHOUSE=str(tmp_path / "w.duckdb"))
    )

    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (
        "Invalid value for '--people': 10 is too small: at least 40 (each function's teams "
        "and the planted 30-person meeting need them)"
    ) in result.output
    assert list(tmp_path.iterdir()) == []  # nothing generated


def test_a_dagster_run_holds_the_lock_too(tmp_path, monkeypatch):
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.settings import OutcomesSettings

    warehouse = _fingerprinted(tmp_path / "outcomes.duckdb")
    settings = OutcomesSettings(
        config_file=str(tmp_path / "no-outcomes.yml"), warehouse=str(warehouse)
    )
    job = build_definitions(settings).get_job_def("retention")
    config = {"ops": {"apply_retention": {"config": {"rebuild": False}}}}
    for name, value in cli_env(**{LOCK_WAIT_ENV: "0"}).items():
        monkeypatch.delenv(name, raising=False) if value is None else monkeypatch.setenv(
            name, value
        )
    holder = _holder(HOLD_THE_LOCK, warehouse)  # a CLI run holds the warehouse
    try:
        refused = job.execute_in_process(
            run_config=config, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    finally:
        _release(holder)
    ran = job.execute_in_process(run_config=config, instance=dg.DagsterInstance.ephemeral())

    assert not refused.success
    failure = next(e for e in refused.all_events if e.is_failure)
    error, messages = failure.event_specific_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    assert any(f"is in use by pid {holder.pid} " in m for m in messages), messages
    assert ran.success  # the lock free again, the same job runs


def test_dlt_s_credentials_message_is_read_as_the_lock_it_is(tmp_path):
    import dlt

    from outcomes.warehouse import explain_chain

    warehouse = _fingerprinted(tmp_path / "outcomes.duckdb")
    holder = _holder(HOLD_THE_FILE, warehouse)
    try:
        pipeline = dlt.pipeline(
            pipeline_name="meets_a_holder",
            destination=dlt.destinations.duckdb(str(warehouse)),
            dataset_name="raw_test",
            pipelines_dir=str(tmp_path / "dlt"),
        )
        with pytest.raises(Exception) as failed:
            pipeline.run([{"id": 1}], table_name="rows")
    finally:
        _release(holder)

    explained = explain_chain(failed.value)
    assert explained is not None, failed.value
    assert str(explained).startswith(f"the warehouse {warehouse} is open in another program")
    assert f"(pid {holder.pid})" in str(explained)


def test_exports_written_where_we_may_not_write_are_one_line():
    # sysfs refuses new files to everyone, root included
    result = CliRunner().invoke(
        main, ["generate", "--out", "/sys/outcomes-demo-exports", "--people", "40"], env=cli_env()
    )

    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: cannot write /sys/outcomes-demo-exports (")
    assert line.endswith("make its folder writable by this user, or choose another place")
