"""One small demo organisation materialized through the whole Dagster graph,
shared by the tests of this folder (one xdist worker: group `orchestration`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from outcomes.demo import generate
from tests.conftest import DEMO_SALT

PEOPLE, WEEKS, SEED = 60, 8, 7  # generator minimums: people >= 40, weeks >= 4


@dataclass
class Materialized:
    root: Path
    warehouse: Path
    report_dir: Path
    result: dg.ExecuteInProcessResult
    instance: dg.DagsterInstance


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/orchestration" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("orchestration"))


def settings_for(root: Path):
    from orchestration.settings import OutcomesSettings

    return OutcomesSettings(
        config_file=str(root / "no-outcomes.yml"),  # absent: the demo organisation
        warehouse=str(root / "outcomes.duckdb"),
        reports_dir=str(root / "reports"),
    )


@pytest.fixture(scope="session")
def materialized(tmp_path_factory) -> Materialized:
    from orchestration.definitions import build_definitions

    root = tmp_path_factory.mktemp("orchestration")
    generate(root / "outcomes_demo_exports", people=PEOPLE, weeks=WEEKS, seed=SEED)
    # The demo salt file beside the warehouse (as `outcomes demo` keeps it);
    # no environment variable, so other tests in this worker see no salt.
    (root / "outcomes.salt").write_text(DEMO_SALT.decode() + "\n")
    defs = build_definitions(settings_for(root))
    instance = dg.DagsterInstance.ephemeral()
    result = defs.get_implicit_global_asset_job_def().execute_in_process(
        instance=instance, raise_on_error=False
    )
    return Materialized(
        root, root / "outcomes.duckdb", root / "reports" / "static" / "data", result, instance
    )
