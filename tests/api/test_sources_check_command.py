"""`outcomes sources check`: each configured source judged without loading."""

from __future__ import annotations

import time

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


def test_a_refused_credential_names_the_setting_to_fix(
    simulator, demo_exports, tmp_path, monkeypatch
):
    """401: the answer (status, message), then the secret key and its
    environment variable to fix; never the value that was refused."""
    monkeypatch.setenv("SOURCES__PAGERDUTY__API_KEY", "wrong-key-123")
    result = CliRunner().invoke(
        main, ["sources", "check", "--config", _config(tmp_path, simulator.base_url, demo_exports)]
    )
    assert "pagerduty: FAILED" in result.output
    assert "HTTP 401: Bad credentials" in result.output
    assert "[sources.pagerduty] api_key" in result.output
    assert "SOURCES__PAGERDUTY__API_KEY" in result.output
    assert "wrong-key-123" not in result.output and "Traceback" not in result.output


def test_a_refused_pair_of_credentials_names_both(demo_exports, tmp_path, monkeypatch):
    """Zendesk's basic auth reads two keys: a refusal names the two it sent
    (not the OAuth access_token, which was not set)."""
    from outcomes.simulators import simulator_class
    from tests.api.conftest import credentials

    sim = simulator_class("zendesk")(demo_exports / "zendesk")
    for key, value in credentials("zendesk", sim).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SOURCES__ZENDESK__API_TOKEN", "not-the-token")
    config = tmp_path / "outcomes.yml"
    with sim:
        config.write_text(
            f"warehouse: {tmp_path / 'w.duckdb'}\n"
            f"sources:\n  zendesk:\n    api: {{base_url: {sim.base_url}, start_date: 2026-01-01}}\n"
        )
        result = CliRunner().invoke(main, ["sources", "check", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "zendesk: FAILED" in result.output and "HTTP 401" in result.output
    assert "[sources.zendesk] email and api_token" in result.output
    assert "SOURCES__ZENDESK__EMAIL and SOURCES__ZENDESK__API_TOKEN" in result.output
    assert "access_token" not in result.output.replace("api_token", "")
    assert "not-the-token" not in result.output and "Traceback" not in result.output


def test_check_keeps_to_the_sources_retry_bound(simulator, demo_exports, tmp_path):
    """A source's `max_wait_seconds` bounds the check's retries as it bounds a
    pull's: an API answering 502 to everything fails the check within it."""
    simulator.inject("502", path="", times=10_000)
    config = _config(tmp_path, simulator.base_url, demo_exports)
    path = tmp_path / "outcomes.yml"
    path.write_text(
        path.read_text().replace(
            "      start_date: 2026-01-01\n",
            "      start_date: 2026-01-01\n      max_wait_seconds: 1\n      max_attempts: 50\n",
        )
    )
    started = time.monotonic()
    result = CliRunner().invoke(main, ["sources", "check", "--config", config])
    assert "pagerduty: FAILED" in result.output and "HTTP 502" in result.output
    assert "Traceback" not in result.output
    assert time.monotonic() - started < 10  # unbounded, 50 attempts back off for minutes
