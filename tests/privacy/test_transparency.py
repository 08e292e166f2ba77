"""The generated transparency page names every source and published model."""

from __future__ import annotations

import json

from outcomes.build import target_path_for
from outcomes.config import KNOWN_SOURCES
from outcomes.privacy.transparency import NEVER_COLLECTED, published_models, render_transparency
from pipelines.common.policy import load_policy


def _section(text: str, source: str) -> str:
    start = text.index(f"### {source}\n")
    end = text.find("\n### ", start + 1)
    return text[start : end if end != -1 else text.index("## Published tables")]


def test_every_source_and_published_model_appears(demo_warehouse, tmp_path):
    manifest = json.loads((target_path_for(demo_warehouse.path) / "manifest.json").read_text())
    text = render_transparency(manifest)

    for source in KNOWN_SOURCES:
        policy = load_policy(source)
        section = _section(text, source)
        assert f"**Purpose:** {policy.purpose}" in section
        assert f"**Kept for:** {policy.retention_days} days" in section
        assert ("allowed" if policy.opt_out_allowed else "not allowed") in section
        assert "**Never collected:** " + ", ".join(NEVER_COLLECTED) in section
        for table in policy.tables:
            for column in table.columns:
                assert f"`{table.name}.{column.name}`" in section

    models = published_models(manifest)
    assert {"fct_team_kpis_weekly", "dim_teams", "fct_work_events"} <= {m["name"] for m in models}
    for model in models:
        meta = model["config"]["meta"]
        purpose = " ".join(meta["purpose"].split())
        assert f"| `{model['name']}` | {purpose} | {meta['owner']} |" in text
    assert "NOT DECLARED" not in text


def test_a_model_without_purpose_is_visible(tmp_path):
    manifest = {
        "nodes": {
            "model.outcomes.fct_x": {
                "resource_type": "model",
                "schema": "marts",
                "name": "fct_x",
                "config": {"meta": {}},
            }
        }
    }
    text = render_transparency(manifest)
    assert "| `fct_x` | NOT DECLARED | NOT DECLARED |" in text


def test_transparency_command_writes_the_page(tmp_path):
    from click.testing import CliRunner

    from outcomes.cli_privacy import privacy

    warehouse = tmp_path / "outcomes.duckdb"
    target = target_path_for(warehouse)
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps({"nodes": {}}))
    out = tmp_path / "transparency.md"
    result = CliRunner().invoke(
        privacy, ["transparency", "--out", str(out), "--warehouse", str(warehouse)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().count("\n### ") == len(KNOWN_SOURCES)
