"""Helpers of the forecast tests: run the forecast models again on a private
copy of the session's demo warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from outcomes.build import run_dbt, target_path_for

FORECAST_MODELS = [
    "fct_team_throughput_daily",
    "fct_team_forecast_history",
    "fct_forecast_trials",
    "fct_team_delivery_forecast",
    "fct_team_forecast_weekly",
    "fct_work_item_due_date_risk",
    "fct_forecast_backtest",
]


def rebuild(warehouse: Path, models: list[str], monkeypatch, dbt_vars: dict | None = None) -> None:
    """`dbt run` of `models` only (their inputs as they are in the file), reusing
    the demo build's parse so the run does not parse the project again."""
    # run_dbt points OUTCOMES_WAREHOUSE at the copy: restore it after the test.
    monkeypatch.setenv("OUTCOMES_WAREHOUSE", str(warehouse))
    target = target_path_for(warehouse)
    target.mkdir(parents=True, exist_ok=True)
    return run_dbt(
        ["run", "--select", " ".join(models)], warehouse, dbt_vars=dbt_vars, target_path=target
    )


def copy_warehouse(demo_warehouse, folder: Path) -> Path:
    copy = demo_warehouse.copy_to(folder).path
    parse = target_path_for(demo_warehouse.path) / "partial_parse.msgpack"
    if parse.exists():
        target = target_path_for(copy)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(parse, target / parse.name)
    return copy


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
