"""outcomes.yml: clear errors for a wrong path, an unknown source, a low k."""

import pytest

from outcomes.config import WAREHOUSE_ENV, load_config, warehouse_path
from outcomes.errors import OutcomesError


def write(tmp_path, text):
    path = tmp_path / "outcomes.yml"
    path.write_text(text)
    return path


def test_valid_config_resolves_paths_relative_to_the_file(tmp_path):
    (tmp_path / "exports" / "github").mkdir(parents=True)
    (tmp_path / "exports" / "roster").mkdir(parents=True)
    config = load_config(
        write(
            tmp_path,
            """
sources:
  github: {path: exports/github, since: 2026-01-01}
  roster: {path: exports/roster}
privacy: {min_group_size: 7}
""",
        )
    )
    # the roster always loads first
    assert [s.name for s in config.sources] == ["roster", "github"]
    assert config.sources[1].path == tmp_path / "exports" / "github"
    assert config.sources[1].since == "2026-01-01"
    assert config.min_group_size == 7


def test_unknown_source_names_the_known_ones(tmp_path):
    with pytest.raises(
        OutcomesError, match=r"unknown source 'githb'; known sources: roster, github"
    ):
        load_config(write(tmp_path, "sources:\n  githb: {path: .}\n"))


def test_wrong_path_names_source_and_folder(tmp_path):
    with pytest.raises(
        OutcomesError, match=r"source 'jira': export folder .*nowhere.* does not exist"
    ):
        load_config(write(tmp_path, "sources:\n  jira: {path: nowhere}\n"))


@pytest.mark.parametrize("k", [4, 0, -1])
def test_group_size_below_five_is_rejected(tmp_path, k):
    (tmp_path / "r").mkdir()
    with pytest.raises(OutcomesError, match="can never be set below 5"):
        load_config(
            write(tmp_path, f"sources:\n  roster: {{path: r}}\nprivacy: {{min_group_size: {k}}}\n")
        )


def test_bad_date_and_missing_file(tmp_path):
    (tmp_path / "r").mkdir()
    with pytest.raises(OutcomesError, match="expected a date like 2026-01-31, got 'yesterday'"):
        load_config(write(tmp_path, "sources:\n  roster: {path: r, since: yesterday}\n"))
    with pytest.raises(OutcomesError, match="not found"):
        load_config(tmp_path / "missing.yml")


def test_warehouse_env_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "w.duckdb"))
    assert warehouse_path("elsewhere.duckdb") == tmp_path / "w.duckdb"


def test_a_warehouse_file_named_like_a_duckdb_catalog_is_refused(tmp_path, monkeypatch):
    """Found building a warehouse at main.duckdb: DuckDB names the catalog
    `main`, dbt's main.intermediate.x then reads as a nested schema, and the
    build failed with an engine error that did not name the file."""
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "main.duckdb"))
    with pytest.raises(OutcomesError, match=r"OUTCOMES_WAREHOUSE is .*main\.duckdb.*reserves"):
        warehouse_path()
    monkeypatch.delenv(WAREHOUSE_ENV)
    with pytest.raises(OutcomesError, match=r"warehouse in outcomes\.yml is 'data/temp\.duckdb'"):
        warehouse_path("data/temp.duckdb")
