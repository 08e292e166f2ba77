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
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from outcomes.reports import REPORTS_DIR, build_site, export_csv

ROOT = REPORTS_DIR.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
PAGE_DATA_PARTIAL = '{@partial "site_data.md"}'
PAGE_MODULE_MARK = "export const team_kpis_weekly = csv('team_kpis_weekly'"


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
    if unit == "days":
        return f"{value:.1f} days"
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


CURRENCY = "$"  # var report_currency_symbol's default


def scorecard_text(value: float | None, unit: str, in_days: bool = False) -> str:
    """The text the scorecard shows for a value (mirrors macros/reports/report_text.sql)."""
    if value is None:
        return "no data"
    if unit == "ratio":
        return f"{min(max(value, 0.0), 1.0) * 100:.1f}%"
    if unit == "hours" and (in_days or abs(value) >= 48):
        return f"{value / 24:.1f} days"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "currency":
        return f"{CURRENCY}{value:,.0f}"
    if unit == "days":
        return "1 day" if round(value, 1) == 1 else f"{value:.1f} days"
    return f"{value:,.1f}"


def scorecard_rows(demo_warehouse) -> list[dict]:
    """Every team's KPIs at the latest complete rolling 4 weeks, from the marts."""
    rows = demo_warehouse.query(
        """
        select status.team_id, teams.team_name, teams.function_name, status.kpi_id,
            status.kpi_name, status.category, catalog.unit, status.value_basis,
            status.value, status.is_suppressed, status.baseline_value, status.target_value,
            status.status, status.kpi_position, prior.value, status.cohort_team_count,
            status.cohort_median, status.cohort_low, status.cohort_high, quarter.projected_value,
            status.week_count, status.data_week_count
        from marts.fct_team_kpi_status as status
        inner join marts.dim_teams as teams on status.team_id = teams.team_id
        inner join seeds.kpi_catalog as catalog on status.kpi_id = catalog.kpi_id
        left join marts.fct_team_kpi_status as prior
            on status.team_id = prior.team_id and status.kpi_id = prior.kpi_id
                and prior.period_grain = 'rolling_4_weeks'
                and prior.period_start = status.period_start - 28
        left join marts.fct_team_kpi_status as quarter
            on status.team_id = quarter.team_id and status.kpi_id = quarter.kpi_id
                and quarter.period_grain = 'quarter'
                and status.period_start + 27 between quarter.period_start and quarter.period_end
        where status.period_grain = 'rolling_4_weeks'
            and status.period_start = (
                select max(period_start) from marts.fct_team_kpi_status
                where period_grain = 'rolling_4_weeks'
            )
        order by teams.team_name, status.kpi_position
        """
    )
    keys = (
        "team_id",
        "team_name",
        "function_name",
        "kpi_id",
        "kpi_name",
        "category",
        "unit",
        "value_basis",
        "value",
        "is_suppressed",
        "baseline",
        "target",
        "status",
        "kpi_position",
        "prior",
        "cohort_teams",
        "cohort_median",
        "cohort_low",
        "cohort_high",
        "projected",
        "week_count",
        "data_week_count",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def shown_texts(row: dict) -> dict:
    """The value and target texts of one scorecard row (one unit for the row's numbers)."""
    row_numbers = (
        "value",
        "prior",
        "baseline",
        "target",
        "cohort_median",
        "cohort_high",
        "projected",
    )
    numbers = [row[k] for k in row_numbers if row[k] is not None]
    in_days = row["unit"] == "hours" and any(n >= 48 for n in numbers)
    per = " a week" if row["value_basis"] == "per_week" else ""
    value = (
        "suppressed"
        if row["is_suppressed"]
        else scorecard_text(row["value"], row["unit"], in_days)
        + (per if row["value"] is not None else "")
        + (
            f" ({row['data_week_count']} week{'s' if row['data_week_count'] != 1 else ''})"
            if row["value"] is not None and row["data_week_count"] < row["week_count"]
            else ""
        )
    )
    target = (
        "no target"
        if row["target"] is None
        else scorecard_text(row["target"], row["unit"], in_days) + per
    )
    if row["cohort_median"] is not None:
        cohort = (
            scorecard_text(row["cohort_median"], row["unit"], in_days)
            + per
            + f" ({scorecard_text(row['cohort_low'], row['unit'], in_days)} to "
            + f"{scorecard_text(row['cohort_high'], row['unit'], in_days)}, "
            + f"{row['cohort_teams']} other teams)"
        )
    else:
        cohort = "no other team" if not row["cohort_teams"] else "fewer than 3 other teams"
    return {
        "value": value,
        "target": target,
        "status": row["status"].replace("_", " "),
        "cohort": cohort,
    }


def category_text(rows: list[dict], team_id: str, category: str) -> str:
    """The executive grid's cell for one team and category (worst judged status first)."""
    statuses = [r["status"] for r in rows if r["team_id"] == team_id and r["category"] == category]
    n = len(statuses)
    kpis = f"{n} KPI" if n == 1 else f"{n} KPIs"
    for status in ("off_track", "at_risk", "on_track"):
        if status in statuses:
            return f"{status.replace('_', ' ')}: {statuses.count(status)} of {kpis}"
    for status in ("no_target", "baseline_forming", "not_enough_data"):
        if status in statuses:
            return status.replace("_", " ")
    raise AssertionError(f"{team_id} has no KPI in {category}")


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
        "eng_delivery_weekly",
        "team_scorecard",
        "team_status_by_category",
        "team_kpi_trend",
        "team_okrs",
        "team_rollout_impact",
        "support_sla_by_priority",
        "sales_stage_funnel",
        "sales_speed_to_lead_by_source",
        "digest_lines",
        "digest_teams",
        "forecast_teams",
        "forecast_bands",
        "forecast_items_at_risk",
        "team_time_use_weekly",
        "meeting_series_to_review",
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
    # The sidebar's entries: every team with a page and every function (pages/+layout.svelte).
    nav = json.loads((tmp_path / "partials" / "site_nav.json").read_text())
    teams = demo_warehouse.query(
        "select distinct teams.team_id, teams.team_name, teams.function_name "
        "from marts.dim_teams as teams "
        "inner join marts.fct_team_kpis_weekly as kpis on teams.team_id = kpis.team_id"
    )
    assert sorted((t["id"], t["label"]) for t in nav["teams"]) == sorted(
        (t, n) for t, n, _ in teams
    )
    assert [f["id"] for f in nav["functions"]] == sorted({f for _, _, f in teams})


def test_pages_share_one_data_block(demo_warehouse, tmp_path):
    """Every page reads the CSVs through the same module block (one place to change):
    the block is generated by the export from the report models' columns, and each
    page includes it instead of repeating it."""
    pages = sorted((REPORTS_DIR / "pages").rglob("*.md"))
    assert len(pages) >= 6
    for page in pages:
        text = page.read_text()
        assert PAGE_DATA_PARTIAL in text, page
        assert '<script context="module">' not in text, f"{page} repeats the data block"
        assert "marts." not in text and "raw_" not in text, f"{page} reads the warehouse"
    result = export_csv(demo_warehouse.path, tmp_path)
    block = (tmp_path / "partials" / "site_data.md").read_text()
    assert block.count('<script context="module">') == 1
    assert PAGE_MODULE_MARK in block
    data = tmp_path / "static" / "data"
    for name in result.rows:
        header = (data / f"{name}.csv").read_text().splitlines()[0].split(",")
        declared = block.split(f"export const {name} = csv('{name}', {{ ", 1)[1].split(" });")[0]
        assert [item.split(":")[0] for item in declared.split(", ")] == header, name


def test_telemetry_off_and_versions_pinned():
    settings = json.loads((REPORTS_DIR / "evidence.settings.json").read_text())
    assert settings["send_anonymous_usage_stats"] == "no"
    package = json.loads((REPORTS_DIR / "package.json").read_text())
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        assert version[0].isdigit(), f"{name} is not pinned: {version}"
    assert (REPORTS_DIR / "package-lock.json").exists()


def _plan(demo_warehouse) -> dict:
    scorecard, team = _scorecard_plans(demo_warehouse)
    eng = latest_cells(demo_warehouse, "teams.function_name = ?", ["engineering"])
    eng_cell = next(row for row in reversed(eng) if not row[7] and row[6] is not None)
    # the marketing and operations KPIs on the marketing page: shown, suppressed or no data
    marketing = latest_cells(
        demo_warehouse,
        "teams.function_name = ? and kpis.kpi_id in (?, ?, ?, ?, ?)",
        [
            "marketing",
            "approval_latency_p50",
            "approval_latency_p85",
            "brief_to_publish_time_p50",
            "brief_to_publish_time_p85",
            "campaigns_on_schedule",
        ],
    )
    assert len(marketing) == 5 and any(not row[7] for row in marketing), marketing
    # the operations KPIs on the operations page (a team's handoffs are few a week:
    # suppressed, and the page says so)
    operations = latest_cells(
        demo_warehouse,
        "teams.function_name = ? and kpis.kpi_id in (?, ?, ?, ?)",
        [
            "operations",
            "handoff_time_p50",
            "handoff_time_p85",
            "task_backlog_age_p50",
            "task_backlog_over_30_days",
        ],
    )
    assert any(not row[7] for row in operations), operations
    assert any(row[3].startswith("Handoff time") for row in operations), operations
    (quarantined,) = demo_warehouse.query("select count(*) from quarantine.records")
    engineering = _engineering_plan(demo_warehouse)
    transparency = _transparency_plan(demo_warehouse)
    forecasts = _forecasts_plan(demo_warehouse)
    time_use = _time_use_plan(demo_warehouse)
    digest = _digest_plan(demo_warehouse)
    support_sla = _support_sla_plan(demo_warehouse)
    sales_funnel = _sales_funnel_plan(demo_warehouse)
    sales_leads = _sales_leads_plan(demo_warehouse)

    def cell(row) -> dict:
        return {"row": [row[1], row[3]], "text": shown(row[6], row[5], row[7])}

    return {
        "build_dir": str(REPORTS_DIR / "build"),
        "screenshot_dir": str(SCREENSHOTS),
        "chromium": str(CHROMIUM),
        "pages": [
            scorecard,
            team,
            {
                "name": "function-engineering",
                "path": "/functions/engineering",
                "cells": [cell(eng_cell)],
                "min_charts": 1,
            },
            {
                "name": "function-marketing",
                "path": "/functions/marketing",
                "cells": [cell(row) for row in marketing],
                "min_charts": 1,
            },
            {
                "name": "function-operations",
                "path": "/functions/operations",
                "cells": [cell(row) for row in operations],
                "min_charts": 1,
            },
            engineering,
            transparency,
            forecasts,
            time_use,
            digest,
            support_sla,
            sales_funnel,
            sales_leads,
            {
                "name": "quality",
                "path": "/quality",
                "texts": ["Last load per source", f"{quarantined[0]:,}"],
                "min_charts": 1,
            },
        ],
    }


def _support_sla_plan(demo_warehouse) -> dict:
    """The support SLA page, read against kpi_base_case_sla: per team (a
    column) and priority (a row), the first reply targets breached of those
    judged over the 13 weeks ending with the latest judged week."""
    rows = demo_warehouse.query(
        """
        with judged as (
            select * from kpis.kpi_base_case_sla where sla_outcome in ('met', 'breached')
        )
        select coalesce(judged.priority_in_force, 'none'),
            count(case when judged.sla_outcome = 'breached' then 1 end), count(*)
        from judged
        inner join marts.dim_teams as teams on judged.team_id = teams.team_id
        where judged.sla_metric = 'first_reply'
            and judged.week_start >= (select max(week_start) - 84 from judged)
            and teams.team_name = (select min(team_name) from marts.dim_teams
                where function_name = 'support')
        group by 1
        """
    )
    assert rows, "the demo's support teams have judged first reply targets"
    return {
        "name": "support-sla",
        "path": "/functions/support/sla",
        "cells": [
            {"row": ["First reply", priority], "text": f"{breached} of {judged}"}
            for priority, breached, judged in rows
        ],
        "texts": ["Compliance: targets met, per priority", "Breached, per priority"],
        "no_sideways_scroll": True,
    }


def _sales_funnel_plan(demo_warehouse) -> dict:
    """The deal stage funnel page, read against kpi_base_deal_stages: for the
    first sales team by name, the deals converted of the deals that first entered
    each stage over the 13 weeks ending with the latest entry week."""
    rows = demo_warehouse.query(
        """
        select stages.deal_stage, count(case when stages.has_converted then 1 end), count(*)
        from kpis.kpi_base_deal_stages as stages
        inner join marts.dim_teams as teams on stages.team_id = teams.team_id
        where stages.week_start >= (select max(week_start) - 84 from kpis.kpi_base_deal_stages)
            and teams.team_name = (select min(team_name) from marts.dim_teams
                where function_name = 'sales')
        group by 1
        """
    )
    assert len(rows) == 5, "the demo's sales teams have deals in every open stage"
    return {
        "name": "sales-funnel",
        "path": "/functions/sales/funnel",
        "cells": [
            {"row": [stage], "text": f"{converted} of {entered}"}
            for stage, converted, entered in rows
        ],
        "texts": ["Conversion: deals that went on, per stage", "Median days in stage"],
        "no_sideways_scroll": True,
    }


def _sales_leads_plan(demo_warehouse) -> dict:
    """The speed to lead by source page, read against kpi_base_lead_touches: for
    the first sales team by name, its touched leads per lead source over the 13
    weeks ending with the latest week a touched lead was created."""
    rows = demo_warehouse.query(
        """
        select coalesce(leads.lead_source, 'unknown'), count(*)
        from kpis.kpi_base_lead_touches as leads
        inner join marts.dim_teams as teams on leads.team_id = teams.team_id
        where leads.week_start >= (select max(week_start) - 84 from kpis.kpi_base_lead_touches)
            and teams.team_name = (select min(team_name) from marts.dim_teams
                where function_name = 'sales')
        group by 1
        """
    )
    assert len(rows) >= 3, "the demo's leads come from several sources"

    def label(source: str) -> str:
        return source[:1].upper() + source[1:].replace("_", " ")

    return {
        "name": "sales-leads",
        "path": "/functions/sales/leads",
        "cells": [{"row": [label(source)], "text": str(count)} for source, count in rows],
        "texts": ["Median time to first touch, per lead source", "Touched within 1 business hour"],
        "no_sideways_scroll": True,
    }


def _digest_plan(demo_warehouse) -> dict:
    """The weekly digest page, read against the marts: per function, the teams
    with a KPI of their set off track over the 4 weeks ending with the latest
    complete week (fct_team_kpi_status), and one team's note for that week
    (the seed team_notes, else the words saying it wrote none)."""
    (latest,) = demo_warehouse.query(
        "select max(period_start) from marts.fct_team_kpi_status "
        "where period_grain = 'rolling_4_weeks'"
    )
    off_track = demo_warehouse.query(
        """
        select teams.function_name,
            count(distinct case when status.status = 'off_track' then status.team_id end)
        from marts.fct_team_kpi_status as status
        inner join marts.dim_teams as teams on status.team_id = teams.team_id
        where status.period_grain = 'rolling_4_weeks' and status.period_start = ?
        group by teams.function_name
        order by teams.function_name
        """,
        [latest[0]],
    )
    week_start = latest[0] + dt.timedelta(days=21)
    notes = dict(
        demo_warehouse.query(
            "select team_id, note from marts.fct_team_notes where week_start = ?", [week_start]
        )
    )
    teams = demo_warehouse.query(
        "select team_id, team_name from marts.dim_teams where member_count > 0 order by team_name"
    )
    team_id, team_name = next(((t, n) for t, n in teams if t in notes), teams[0])
    note = notes.get(team_id, "The team has written no note for this week.")
    return {
        "name": "digest",
        "path": "/digest",
        "cells": [{"row": [function], "text": str(count)} for function, count in off_track]
        + [{"row": [team_name], "text": note}],
        "texts": [f"Weekly digest: week of {week_start.day} {week_start:%B %Y}"],
        "no_sideways_scroll": True,
    }


def _scorecard_plans(demo_warehouse) -> tuple[dict, dict]:
    """The executive scorecard and one team page, read against the marts
    (fct_team_kpi_status): a KPI off track or at risk with a target shows its
    4-week value, target and status on both pages; the team's category cell
    on the grid rolls up its KPIs; the function filter drops the team."""
    rows = scorecard_rows(demo_warehouse)
    judged = [
        r for r in rows if r["status"] in ("off_track", "at_risk") and r["target"] is not None
    ]
    assert judged, "the demo's team file sets targets a team misses"
    kpi = judged[0]
    texts = shown_texts(kpi)
    other = next(r for r in rows if r["function_name"] != kpi["function_name"])
    name, kpi_name = kpi["team_name"], kpi["kpi_name"]
    scorecard = {
        "name": "scorecard",
        "path": "/",
        "cells": [
            {"row": [name, kpi_name], "text": texts["value"]},
            {"row": [name, kpi_name], "text": texts["target"]},
            {"row": [name, kpi_name], "text": texts["status"]},
            {
                "row": [name, kpi["function_name"]],
                "text": category_text(rows, kpi["team_id"], kpi["category"]),
            },
        ],
        "texts": ["Status by category", "not a ranking"],
        # The sidebar lists every team with a page and every function.
        "links": [
            {"href": f"/teams/{team_id}", "text": team_name}
            for team_id, team_name in demo_warehouse.query(
                "select distinct teams.team_id, teams.team_name from marts.dim_teams as teams "
                "inner join marts.fct_team_kpis_weekly as kpis on teams.team_id = kpis.team_id"
            )
        ]
        + [
            {"href": f"/functions/{function}", "text": function}
            for (function,) in demo_warehouse.query(
                "select distinct teams.function_name from marts.dim_teams as teams "
                "inner join marts.fct_team_kpis_weekly as kpis on teams.team_id = kpis.team_id"
            )
        ],
        "no_sideways_scroll": True,
        "filter": {
            "open": "Function",
            "choose": other["function_name"],
            "expect_row": [other["team_name"], other["function_name"]],
            "gone_text": name,
        },
    }
    team_kpis = [r for r in rows if r["team_id"] == kpi["team_id"]]
    suppressed = next((r for r in team_kpis if r["is_suppressed"]), None)
    team = {
        "name": f"team-{kpi['team_id']}",
        "path": f"/teams/{kpi['team_id']}",
        "cells": [
            {"row": [kpi_name], "text": texts["value"]},
            {"row": [kpi_name], "text": texts["target"]},
            {"row": [kpi_name], "text": texts["status"]},
        ]
        + ([{"row": [suppressed["kpi_name"]], "text": "suppressed"}] if suppressed else [])
        + [{"row": [r["kpi_name"]], "text": shown_texts(r)["cohort"]} for r in team_kpis],
        "texts": [
            f"{name} is a",
            f"{name}: scorecard",
            f"{name}: in context",
            f"{name}: what changed, why, what next",
            "What next, from the team:",
            f"{name}: OKRs",
        ],
        "title_contains": name,
        "forbid_texts": ["Dataset is empty"],
        "no_sideways_scroll": True,
        "min_charts": 1,
    }
    return scorecard, team


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


def _time_use_plan(demo_warehouse) -> dict:
    """A team's "where the time goes" page: its latest published week's meeting
    and focus hours per person, as the warehouse holds them."""
    team_id, team_name, week, meeting, focus = demo_warehouse.query(
        """
        select team_id, team_name, week_start, meeting_hours, focus_hours
        from reports.rpt_team_time_use_weekly
        where not is_suppressed
        order by week_start desc, team_id
        limit 1
        """
    )[0]
    return {
        "name": f"time-{team_id}",
        "path": f"/time/{team_id}",
        "cells": [
            {"row": [str(week), f"{focus:.1f}"], "text": f"{meeting:.1f}"},
        ],
        "texts": [f"Where the time goes: {team_name}", "Recurring meetings to review"],
        "min_charts": 1,
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


def _forecasts_plan(demo_warehouse) -> dict:
    """The forecasts page: a team's 85% date, a poorly calibrated team's wording
    (held count recomputed from the backtest) and the top at-risk item's miss
    share, all read from the forecast marts, not from the report models."""
    teams = demo_warehouse.query(
        """
        select teams.team_name, forecast.open_item_count, forecast.p85_date,
            forecast.horizon_days, count(backtest.team_id),
            count(case when backtest.is_held_85 then 1 end)
        from marts.fct_team_delivery_forecast as forecast
        inner join marts.dim_teams as teams on forecast.team_id = teams.team_id
        left join marts.fct_forecast_backtest as backtest on forecast.team_id = backtest.team_id
        where teams.member_count >= 5
        group by all
        order by teams.team_name
        """
    )
    assert teams, "the demo has forecast teams of five people or more"

    def done_by(open_items: int, day, horizon: int) -> str:
        if open_items == 0:
            return "nothing open"
        return f"after {horizon // 7} weeks" if day is None else day.isoformat()

    def team_sentence(row) -> str:
        name, open_items, p85, horizon = row[:4]
        items = f"{open_items} open {'item' if open_items == 1 else 'items'}"
        if open_items == 0:
            when = "there is nothing open"
        elif p85 is None:
            when = f"not within {horizon // 7} weeks with 85% confidence"
        else:
            when = f"all done by {p85.isoformat()} with 85% confidence"
        return f"{name} has {items}: {when}."

    name, open_items, p85, horizon, _, _ = teams[0]
    cells = [{"row": [name], "text": done_by(open_items, p85, horizon)}]
    # The demo has a team whose 85% forecast held in under 70% of 8+ backtests:
    # the table says so in short, the team's section below in a sentence.
    poor = next(row for row in teams if row[4] >= 8 and row[5] < 0.7 * row[4])
    cells.append({"row": [poor[0]], "text": f"poor ({poor[5]} of {poor[4]} held)"})
    # The team dropdown (the first team is selected when the page opens) moves
    # the team's section to the chosen team: the poor one, else the second.
    chosen = poor if poor[0] != teams[0][0] else teams[1]
    poor_sentence = (
        f"Poor calibration: the 85% forecast held in {poor[5]} of {poor[4]} "
        f"backtests ({int(100 * poor[5] / poor[4] + 0.5)}%), so this forecast claims more "
        "confidence than the team's history supports."
    )
    # The first at-risk item the page lists (by share, then due date) that some
    # trials still make: its share is a real Monte Carlo result, not the 100% of
    # a date the team can no longer reach. The table shows 50 rows a page.
    items = demo_warehouse.query(
        """
        select risk.source_system || ' ' || risk.source_item_id, risk.miss_probability,
            risk.is_beyond_horizon
        from marts.fct_work_item_due_date_risk as risk
        inner join marts.dim_teams as teams on risk.team_id = teams.team_id
        where risk.is_at_risk and not risk.is_overdue and teams.member_count >= 5
        order by risk.miss_probability desc, risk.due_date, risk.work_item_id
        """
    )
    position, item = next((n, row) for n, row in enumerate(items) if row[1] < 1)
    assert position < 50, "the item must be on the table's first page"
    share = f"{item[1] * 100:.0f}%" + (" or less" if item[2] else "")
    cells.append({"row": [item[0]], "text": share})
    return {
        "name": "forecasts",
        "path": "/forecasts",
        "cells": cells,
        "texts": ["The chart shows, for the end of each coming week", "Already overdue"],
        "min_charts": 1,
        "no_sideways_scroll": True,
        "filter": {
            "open": "Team",
            "choose": chosen[0],  # the dropdown's options carry the team name
            "expect_text": poor_sentence if chosen is poor else team_sentence(chosen),
            "gone_body_text": team_sentence(teams[0]),
        },
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
        "forecasts.html",
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
        "forecasts",
        "digest",
    }
    assert all(
        page.get("charts", 0) >= 1
        for page in result["pages"]
        if page["name"]
        not in ("transparency", "scorecard", "digest", "support-sla", "sales-funnel", "sales-leads")
    )
    for shot in (
        "scorecard",
        "scorecard-filtered",
        "engineering-delivery",
        "engineering-delivery-filtered",
        "transparency",
        "forecasts",
    ):
        assert (SCREENSHOTS / f"{shot}.png").exists(), shot
