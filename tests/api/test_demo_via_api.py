"""`outcomes demo --via-api`: every tool with a simulator is pulled through it, and the
warehouse's raw data is the one the file exports give."""

from __future__ import annotations

from outcomes.config import DEMO_SOURCES
from outcomes.runner import demo_config, run
from outcomes.simulators import simulated_sources
from outcomes.simulators.demo import _has_api_loader, demo_via_api
from tests.api.conftest import SALT, assert_same_raw


def test_the_demo_through_the_simulators_lands_what_the_files_land(demo_exports, tmp_path):
    files = tmp_path / "files.duckdb"
    api = tmp_path / "api.duckdb"
    run(demo_config(demo_exports, files), SALT, skip_build=True)
    with demo_via_api(demo_exports, api) as config:
        pulled = {s.name for s in config.sources if s.api is not None}
        summary = run(config, SALT, skip_build=True)
    expected = {s for s in simulated_sources() if _has_api_loader(s)} & set(DEMO_SOURCES)
    assert pulled == expected and "pagerduty" in pulled
    assert all(load.published for load in summary.loads)
    for source in pulled:
        assert_same_raw(files, api, source, with_loaded_at=False)
