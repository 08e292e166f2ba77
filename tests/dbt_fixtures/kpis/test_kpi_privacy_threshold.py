"""The privacy threshold k of the KPI marts can be raised, never set below 5.

docs/privacy.md (small groups): the dbt project itself refuses a weaker threshold,
whoever calls it (CLI, orchestration, a developer's `dbt --vars`): the macro
`kpi_min_group_size` stops parsing of fct_team_kpis_weekly, so nothing builds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes.build import run_dbt
from outcomes.errors import OutcomesError


@pytest.mark.parametrize("k", [4, 0])
def test_threshold_below_five_stops_the_project(tmp_path: Path, k: int) -> None:
    with pytest.raises(
        OutcomesError, match="privacy threshold must be a whole number of at least 5"
    ):
        run_dbt(["parse"], tmp_path / "kpi.duckdb", min_group_size=k)


def test_threshold_of_five_or_more_parses(tmp_path: Path) -> None:
    result = run_dbt(["parse"], tmp_path / "kpi.duckdb", min_group_size=7)
    assert not result.failures
