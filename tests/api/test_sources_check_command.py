"""`outcomes sources check`: each configured source judged without loading."""

from __future__ import annotations

from click.testing import CliRunner

from outcomes.cli import main

SOURCE = "pagerduty"


def _config(tmp_path, base_url: str, exports) -> str:
    path = tmp_path / "outcomes.yml"
    path.write_text(
        f"""
warehouse: {tmp_path / "w.duckdb"}
sources:
  pagerduty:
    api:
      base_url: {base_url}
      start_date: 2026-01-01
  jira:
    path: {exports / "jira"}
  zendesk:
    path: {tmp_path}
"""
    )
    return str(path)


def test_check_names_what_holds_and_what_fails(simulator, demo_exports, tmp_path):
    result = CliRunner().invoke(
        main, ["sources", "check", "--config", _config(tmp_path, simulator.base_url, demo_exports)]
    )
    assert result.exit_code == 2, result.output
    assert "pagerduty: ok" in result.output
    assert "backfills from 2026-01-01" in result.output
    assert "jira: ok" in result.output and "changelogs.jsonl" in result.output
    assert "zendesk: FAILED" in result.output and "tickets.jsonl" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "w.duckdb").exists()  # nothing loaded


def test_check_reports_the_api_answer(simulator, demo_exports, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__PAGERDUTY__API_KEY", "wrong")
    result = CliRunner().invoke(
        main, ["sources", "check", "--config", _config(tmp_path, simulator.base_url, demo_exports)]
    )
    assert "pagerduty: FAILED" in result.output
    assert "HTTP 401" in result.output and "Traceback" not in result.output


def test_a_credential_in_outcomes_yml_is_refused(tmp_path):
    path = tmp_path / "outcomes.yml"
    path.write_text("sources:\n  github:\n    api:\n      access_token: ghp_x\n")
    result = CliRunner().invoke(main, ["sources", "check", "--config", str(path)])
    assert result.exit_code == 2
    assert "never lives in outcomes.yml" in result.output and "ghp_x" not in result.output
