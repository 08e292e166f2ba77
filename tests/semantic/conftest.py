"""The semantic layer's tests run real `outcomes metrics query` (MetricFlow's
`mf query`, offline) on the session demo warehouse (tests/conftest.py)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from outcomes.build import target_path_for
from outcomes.config import WAREHOUSE_ENV

OUTCOMES = Path(sys.executable).with_name("outcomes")

MetricsQuery = Callable[[Sequence[str], Sequence[str]], list[dict]]


@pytest.fixture(scope="session")
def metrics_query(demo_warehouse, tmp_path_factory) -> MetricsQuery:
    """`query(metrics, group_by)`: the rows of one `mf query`, a dict per row,
    metric values as floats (None for null), metric_time__* as ISO dates."""
    out = tmp_path_factory.mktemp("mf")
    env = {**os.environ, WAREHOUSE_ENV: str(demo_warehouse.path), "DO_NOT_TRACK": "1"}
    calls = iter(range(10_000))

    def query(metrics: Sequence[str], group_by: Sequence[str]) -> list[dict]:
        result = out / f"query_{next(calls)}.csv"
        args = ["metrics", "query", "--metrics", ",".join(metrics)]
        args += ["--group-by", ",".join(group_by), "--csv", str(result)]
        done = subprocess.run(
            [str(OUTCOMES), *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"outcomes {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        with result.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            for name in metrics:
                row[name] = float(row[name]) if row[name] != "" else None
            for name in row:
                if name.startswith("metric_time__"):
                    row[name] = row[name][:10]
        return rows

    return query


@pytest.fixture(scope="session")
def semantic_manifest(demo_warehouse) -> dict:
    return json.loads((target_path_for(demo_warehouse.path) / "semantic_manifest.json").read_text())


@pytest.fixture(scope="session")
def dbt_manifest(demo_warehouse) -> dict:
    return json.loads((target_path_for(demo_warehouse.path) / "manifest.json").read_text())
