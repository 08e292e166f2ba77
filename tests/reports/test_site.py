"""The report site: exported CSVs, an offline build, and a browser test.

The browser test builds the Evidence site from the demo warehouse, serves it
on 127.0.0.1 and drives Debian's chromium through npm `playwright-core`
(reports/tests/browser.mjs). It checks that numbers shown equal the
warehouse's, that charts draw, that a filter changes what is shown, that no
page shows an error and that no request leaves 127.0.0.1. Screenshots land in
artifacts/screenshots/. It never skips: a missing chromium or node_modules is a
failure with the command that fixes it.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from outcomes.reports import REPORTS_DIR, build_site, export_csv

ROOT = REPORTS_DIR.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
PAGE_MODULE_MARK = "export const kpis = csv('team_kpis_weekly'"


def shown(value: float | None, unit: str, suppressed: bool) -> str:
    """The text a page shows for one KPI cell (mirrors `shown` in the pages)."""
    if suppressed:
        return "suppressed"
    if value is None:
        return "no data"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "currency":
        return f"{value:.0f}"
    return f"{value:.1f}"


def latest_cells(demo_warehouse, where: str, params: list) -> list[tuple]:
    return demo_warehouse.query(
        f"""
        select teams.team_id, teams.team_name, teams.function_name, catalog.kpi_name,
            kpis.category, catalog.unit, kpis.value, kpis.is_suppressed
        from marts.fct_team_kpis_weekly as kpis
        inner join marts.dim_teams as teams on kpis.team_id = teams.team_id
        inner join seeds.kpi_catalog as catalog on kpis.kpi_id = catalog.kpi_id
        where kpis.week_start = (select max(week_start) from marts.fct_team_kpis_weekly)
            and {where}
        order by teams.team_id, catalog.kpi_name
        """,
        params,
    )


def test_export_is_team_level_and_keeps_suppression(demo_warehouse, tmp_path):
    result = export_csv(demo_warehouse.path, tmp_path)
    data = tmp_path / "static" / "data"
    assert set(result.rows) == {
        "team_kpis_weekly",
        "teams",
        "kpi_catalog",
        "meeting_series_by_team",
        "quarantine_by_reason",
        "source_freshness",
        "eng_pr_flow_weekly",
        "eng_pr_size",
        "eng_dora",
        "eng_dora_next",
        "eng_deploy_failures",
        "eng_sources",
    }
    (kpi_rows,) = demo_warehouse.query("select count(*) from marts.fct_team_kpis_weekly")
    assert result.rows["team_kpis_weekly"] == kpi_rows[0]
    with open(data / "team_kpis_weekly.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    suppressed = [row for row in rows if row["is_suppressed"] == "true"]
    assert suppressed, "the demo has a team whose figures are always suppressed"
    # Suppressed cells stay empty (shown as "suppressed"), never 0.
    assert all(row["value"] == "" for row in suppressed)
    # Nothing about a person: no person ids, emails or names in any export.
    for path in data.glob("*.csv"):
        header = path.read_text().splitlines()[0]
        assert "person" not in header and "email" not in header, path.name
    (quarantined,) = demo_warehouse.query("select count(*) from quarantine.records")
    with open(data / "quarantine_by_reason.csv", newline="") as handle:
        assert sum(int(row["records"]) for row in csv.DictReader(handle)) == quarantined[0]


def test_pages_share_one_data_block():
    """Every page reads the CSVs through the same module block (one place to change)."""
    pages = sorted((REPORTS_DIR / "pages").rglob("*.md"))
    assert len(pages) >= 6
    blocks = set()
    for page in pages:
        text = page.read_text()
        assert PAGE_MODULE_MARK in text, page
        start = text.index('<script context="module">')
        blocks.add(text[start : text.index("</script>", start)])
        assert "marts." not in text and "raw_" not in text, f"{page} reads the warehouse"
    assert len(blocks) == 1


def test_telemetry_off_and_versions_pinned():
    settings = json.loads((REPORTS_DIR / "evidence.settings.json").read_text())
    assert settings["send_anonymous_usage_stats"] == "no"
    package = json.loads((REPORTS_DIR / "package.json").read_text())
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        assert version[0].isdigit(), f"{name} is not pinned: {version}"
    assert (REPORTS_DIR / "package-lock.json").exists()


def _plan(demo_warehouse) -> dict:
    delivery = latest_cells(demo_warehouse, "kpis.category = ?", ["delivery"])
    shown_delivery = [row for row in delivery if not row[7] and row[6] is not None]
    suppressed_delivery = [row for row in delivery if row[7]]
    assert shown_delivery and suppressed_delivery
    a, s = shown_delivery[0], suppressed_delivery[0]
    flow = latest_cells(demo_warehouse, "kpis.category = ?", ["flow"])
    team_cells = [row for row in latest_cells(demo_warehouse, "true", []) if row[2] == "support"]
    team_cell = next(row for row in team_cells if not row[7] and row[6] is not None)
    eng = latest_cells(demo_warehouse, "teams.function_name = ?", ["engineering"])
    eng_cell = next(row for row in reversed(eng) if not row[7] and row[6] is not None)
    (quarantined,) = demo_warehouse.query("select count(*) from quarantine.records")
    engineering = _engineering_plan(demo_warehouse)
    transparency = _transparency_plan(demo_warehouse)

    def cell(row) -> dict:
        return {"row": [row[1], row[3]], "text": shown(row[6], row[5], row[7])}

    return {
        "build_dir": str(REPORTS_DIR / "build"),
        "screenshot_dir": str(SCREENSHOTS),
        "chromium": str(CHROMIUM),
        "pages": [
            {
                "name": "scorecard",
                "path": "/",
                "cells": [cell(a), cell(s)],
                "min_charts": 1,
                "filter": {
                    "open": "Category",
                    "choose": "flow",
                    "expect_row": [flow[0][1], flow[0][3]],
                    "gone_text": a[3],
                },
            },
            {
                "name": f"team-{team_cell[0]}",
                "path": f"/teams/{team_cell[0]}",
                "cells": [{"row": [team_cell[3]], "text": cell(team_cell)["text"]}],
                "texts": [f"{team_cell[1]} is a"],
                "min_charts": 1,
            },
            {
                "name": "function-engineering",
                "path": "/functions/engineering",
                "cells": [cell(eng_cell)],
                "min_charts": 1,
            },
            engineering,
            transparency,
            {
                "name": "quality",
                "path": "/quality",
                "texts": ["Last load per source", f"{quarantined[0]:,}"],
                "min_charts": 1,
            },
        ],
    }


def hours(value: float | None) -> str:
    return "no data" if value is None else f"{value:.1f} h"


def _engineering_plan(demo_warehouse) -> dict:
    """The engineering delivery page: the cross-team DORA table, the default
    (first) team's next-level table, and the team filter switching to another
    team whose figures differ."""
    latest = demo_warehouse.query(
        """
        select teams.team_id, teams.team_name, dora.lead_time_p50_hours,
            dora.failed_deployment_recovery_p50_hours, dora.is_suppressed
        from marts.fct_dora_team_rolling as dora
        inner join marts.dim_teams as teams on dora.team_id = teams.team_id
        where dora.window_weeks = 13
            and dora.week_start = (select max(week_start) from marts.fct_dora_team_rolling)
        order by teams.team_name
        """
    )
    shown_teams = [row for row in latest if not row[4]]
    assert len(shown_teams) >= 2
    cells = [{"row": [name], "text": hours(lead)} for _, name, lead, _, _ in shown_teams[:2]] + [
        {"row": [shown_teams[-1][1]], "text": hours(shown_teams[-1][3])}
    ]
    # The dropdown lists teams by name; the first is selected when the page opens.
    first, other = latest[0], next(row for row in latest[1:] if not row[4])
    assert other[2] != first[2]
    lead_label = "Lead time for changes"
    other_text = f"now {other[2]:.1f} h"
    return {
        "name": "engineering-delivery",
        "path": "/functions/engineering/delivery",
        "cells": cells,
        "texts": [
            "These figures come from:",
            "Where does the time go?",
            "Which PR size flows best?",
        ],
        # The first team (selected when the page opens): the next level's cut-off.
        "rows_containing": [
            {
                "row": [lead_label],
                "contains": f"now {first[2]:.1f} h" if not first[4] else "suppressed",
            }
        ],
        "min_charts": 5,
        "filter": {
            "open": "Team",
            "choose": other[1],  # the dropdown's options carry the team name
            "expect_text_in_row": {"row": [lead_label], "contains": other_text},
            "gone_text_in_row": (
                {"row": [lead_label], "contains": f"now {first[2]:.1f} h"} if not first[4] else None
            ),
        },
    }


def _transparency_plan(demo_warehouse) -> dict:
    from outcomes.privacy.people import policies

    github = policies()["github"]
    return {
        "name": "transparency",
        "path": "/transparency",
        "cells": [{"row": ["fct_pull_requests"], "text": "data-team"}],
        "texts": [
            "What we collect, why, who sees it and how long we keep it",
            "This warehouse currently holds data from:",
            f"Purpose: {' '.join(github.purpose.split())}",
            "Never collected:",
            "outcomes privacy export",
        ],
        "min_charts": 0,
    }


@pytest.mark.slow
def test_site_builds_offline_and_renders_in_chromium(demo_warehouse, tmp_path):
    npm, node = shutil.which("npm"), shutil.which("node")
    assert npm and node, "Node 20 and npm are required (see README)"
    assert (REPORTS_DIR / "node_modules").exists(), "run `npm install` in reports/ first"
    assert CHROMIUM.exists(), "install Debian chromium: apt-get install -y chromium"
    build_site(demo_warehouse.path)
    pages = REPORTS_DIR / "build"
    for route in (
        "index.html",
        "quality.html",
        "teams/platform.html",
        "functions/sales.html",
        "functions/engineering/delivery.html",
        "transparency.html",
    ):
        assert (pages / route).exists() or (pages / route.replace(".html", "/index.html")).exists()
    plan_path, result_path = tmp_path / "plan.json", tmp_path / "result.json"
    plan_path.write_text(json.dumps(_plan(demo_warehouse), indent=2))
    proc = subprocess.run(
        [node, "tests/browser.mjs", str(plan_path), str(result_path)],
        cwd=REPORTS_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result_path.exists():  # kept beside the screenshots as a test artifact
        shutil.copy(result_path, SCREENSHOTS.parent / "browser-result.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(result_path.read_text())
    assert result["external"] == []
    assert {page["name"] for page in result["pages"]} >= {
        "scorecard",
        "function-engineering",
        "engineering-delivery",
        "transparency",
    }
    assert all(
        page.get("charts", 0) >= 1 for page in result["pages"] if page["name"] != "transparency"
    )
    for shot in (
        "scorecard",
        "scorecard-filtered",
        "engineering-delivery",
        "engineering-delivery-filtered",
        "transparency",
    ):
        assert (SCREENSHOTS / f"{shot}.png").exists(), shot
