"""The sales KPIs on the demo organisation, recomputed from the HubSpot export.

The win rate by amount, the sales cycle, quote to close and the meeting
no-show rate are computed here again from the raw `deals.jsonl`,
`engagements.jsonl` and `owners.jsonl` the generator wrote, with none of the
warehouse's SQL: each deal's latest close from its stage history (HubSpot
lists it newest first), its owner's team, the ISO week of the close. Every
team-week the KPI model computes must equal that recomputation, and the
published mart shows the same values where the group is large enough.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict
from pathlib import Path

CLOSED = {"closedwon", "closedlost"}


def parse(ts: str) -> dt.datetime:
    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))


def week_of(ts: dt.datetime) -> dt.date:
    day = ts.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def latest_by_id(records: list[dict], key, updated) -> list[dict]:
    """The export delivers some records twice, as APIs do: one record per id,
    its latest version (the loader merges by primary key the same way)."""
    latest: dict = {}
    for record in records:
        held = latest.get(key(record))
        if held is None or updated(record) >= updated(held):
            latest[key(record)] = record
    return list(latest.values())


def closed_deals(exports: Path, team_ids: dict[str, str]) -> list[dict]:
    """One row per deal whose current stage is a close: team, week, won, amount, days."""
    owners = read_jsonl(exports / "hubspot" / "owners.jsonl")
    team_of_owner = {
        owner["id"]: team_ids[owner["teams"][0]["name"]] for owner in owners if owner["teams"]
    }
    rows = []
    deals = read_jsonl(exports / "hubspot" / "deals.jsonl")
    for deal in latest_by_id(deals, lambda d: d["id"], lambda d: parse(d["updatedAt"])):
        props = deal["properties"]
        history = deal.get("propertiesWithHistory", {}).get("dealstage", [])
        closes = [entry for entry in history if entry["value"] in CLOSED]
        team = team_of_owner.get(props.get("hubspot_owner_id"))
        if props.get("dealstage") not in CLOSED or not closes or team is None:
            continue
        latest = max(closes, key=lambda entry: parse(entry["timestamp"]))
        closed_at = parse(latest["timestamp"])
        amount = props.get("amount")
        quotes = [
            parse(entry["timestamp"])
            for entry in history
            if entry["value"] == "contractsent" and parse(entry["timestamp"]) <= closed_at
        ]
        rows.append(
            {
                "team_id": team,
                "week": week_of(closed_at),
                "won": latest["value"] == "closedwon",
                "amount": float(amount) if amount not in (None, "") else None,
                "days": (closed_at - parse(props["createdate"])).total_seconds() / 86400,
                "quote_days": (closed_at - min(quotes)).total_seconds() / 86400 if quotes else None,
            }
        )
    return rows


def computed(demo_warehouse, model: str, kpi_id: str) -> dict[tuple[str, dt.date], float]:
    """The KPI model's weekly cells, before the small-group suppression, so every
    team-week is compared (most demo weeks have under five deal owners); the
    published mart's cells must be the same values where it shows them."""
    cells = {
        (team, week): value
        for team, week, value in demo_warehouse.query(
            f"select team_id, period_start, value from kpis.{model} "
            "where kpi_id = ? and period_grain = 'week'",
            [kpi_id],
        )
    }
    shown = demo_warehouse.query(
        "select team_id, week_start, value from marts.fct_team_kpis_weekly "
        "where kpi_id = ? and not is_suppressed and value is not null",
        [kpi_id],
    )
    assert shown, f"{kpi_id}: no published team-week"
    for team, week, value in shown:
        assert value == cells[(team, week)], f"{kpi_id}: {team} {week} published {value}"
    return cells


def recomputed(demo_warehouse) -> list[dict]:
    team_ids = dict(demo_warehouse.query("select team_name, team_id from marts.dim_teams"))
    deals = closed_deals(demo_warehouse.exports, team_ids)
    assert len(deals) > 100, f"the demo export has only {len(deals)} closed deals"
    return deals


def assert_cells_match(expected: dict, actual: dict, kpi_id: str) -> None:
    assert len(actual) >= 20, f"{kpi_id}: only {len(actual)} team-weeks"
    wrong = {
        cell: (value, expected.get(cell))
        for cell, value in actual.items()
        if expected.get(cell) is None or abs(value - expected[cell]) > 1e-9
    }
    assert not wrong, f"{kpi_id}: published vs recomputed differ in {len(wrong)} cells: {wrong}"


def test_win_rate_by_amount_is_won_amount_over_closed_amount(demo_warehouse):
    won, closed = defaultdict(float), defaultdict(float)
    for deal in recomputed(demo_warehouse):
        if deal["amount"] is None:
            continue
        cell = (deal["team_id"], deal["week"])
        closed[cell] += deal["amount"]
        won[cell] += deal["amount"] if deal["won"] else 0.0
    expected = {cell: won[cell] / total for cell, total in closed.items() if total > 0}
    actual = computed(demo_warehouse, "kpi_win_rate", "win_rate_by_amount")
    assert_cells_match(expected, actual, "win_rate_by_amount")
    by_count = computed(demo_warehouse, "kpi_win_rate", "win_rate")
    assert any(abs(by_count[cell] - value) > 0.05 for cell, value in actual.items()), (
        "win rate by amount equals the count rate in every week: deal sizes play no part"
    )


def test_sales_cycle_and_quote_to_close_are_median_days_to_win(demo_warehouse):
    cycles, quote_cycles = defaultdict(list), defaultdict(list)
    for deal in recomputed(demo_warehouse):
        if deal["won"]:
            cycles[(deal["team_id"], deal["week"])].append(deal["days"])
            if deal["quote_days"] is not None:
                quote_cycles[(deal["team_id"], deal["week"])].append(deal["quote_days"])
    expected = {cell: statistics.median(days) for cell, days in cycles.items()}
    actual = computed(demo_warehouse, "kpi_sales_cycle", "sales_cycle_p50")
    assert_cells_match(expected, actual, "sales_cycle_p50")
    expected = {cell: statistics.median(days) for cell, days in quote_cycles.items()}
    actual = computed(demo_warehouse, "kpi_sales_cycle", "quote_to_close_p50")
    assert_cells_match(expected, actual, "quote_to_close_p50")
    assert set(actual) == set(expected)


def test_no_show_rate_is_no_shows_over_meetings_with_an_outcome(demo_warehouse):
    """The generator gives a CRM meeting outcome COMPLETED 7, NO_SHOW 2 and
    CANCELED 1 time in 10: cancelled meetings are left out, so the pooled rate
    is near 2/9, and every team-week equals the export's own count."""
    team_ids = dict(demo_warehouse.query("select team_name, team_id from marts.dim_teams"))
    owners = read_jsonl(demo_warehouse.exports / "hubspot" / "owners.jsonl")
    team_of_owner = {int(o["id"]): team_ids[o["teams"][0]["name"]] for o in owners if o["teams"]}
    no_shows, meetings = defaultdict(int), defaultdict(int)
    engagements = read_jsonl(demo_warehouse.exports / "hubspot" / "engagements.jsonl")
    for record in latest_by_id(
        engagements, lambda r: r["engagement"]["id"], lambda r: r["engagement"]["lastUpdated"]
    ):
        engagement = record["engagement"]
        outcome = record.get("metadata", {}).get("meetingOutcome")
        team = team_of_owner.get(engagement.get("ownerId"))
        if engagement["type"] != "MEETING" or outcome not in ("COMPLETED", "NO_SHOW"):
            continue
        if team is None or not engagement.get("active", True):
            continue
        start = dt.datetime.fromtimestamp(engagement["timestamp"] / 1000, tz=dt.UTC)
        cell = (team, week_of(start))
        meetings[cell] += 1
        no_shows[cell] += outcome == "NO_SHOW"
    assert sum(meetings.values()) > 200, "the demo export has too few CRM meetings"
    pooled = sum(no_shows.values()) / sum(meetings.values())
    assert abs(pooled - 2 / 9) < 0.05, pooled
    expected = {cell: no_shows[cell] / count for cell, count in meetings.items()}
    actual = computed(demo_warehouse, "kpi_meeting_no_show_rate", "meeting_no_show_rate")
    assert_cells_match(expected, actual, "meeting_no_show_rate")
    assert set(actual) == set(expected)


OPEN_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)  # dbt var deal_open_stages, in pipeline order


def deal_stage_cells(exports: Path, team_ids: dict[str, str]) -> dict[tuple[str, str], list]:
    """Per team and open stage, one (first entry week, converted, days in stage)
    per deal that entered the stage, from each deal's stage history."""
    owners = read_jsonl(exports / "hubspot" / "owners.jsonl")
    team_of_owner = {
        owner["id"]: team_ids[owner["teams"][0]["name"]] for owner in owners if owner["teams"]
    }
    order = {stage: rank for rank, stage in enumerate(OPEN_STAGES, start=1)}
    order["closedwon"] = len(OPEN_STAGES) + 1
    cells: dict[tuple[str, str], list] = defaultdict(list)
    deals = read_jsonl(exports / "hubspot" / "deals.jsonl")
    for deal in latest_by_id(deals, lambda d: d["id"], lambda d: parse(d["updatedAt"])):
        team = team_of_owner.get(deal["properties"].get("hubspot_owner_id"))
        if team is None or deal.get("archived"):
            continue
        history = sorted(
            (parse(entry["timestamp"]), entry["value"])
            for entry in deal.get("propertiesWithHistory", {}).get("dealstage", [])
        )
        for stage in OPEN_STAGES:
            visits = [i for i, (_, value) in enumerate(history) if value == stage]
            if not visits:
                continue
            first = history[visits[0]][0]
            converted = any(
                at > first and order.get(value, 0) > order[stage] for at, value in history
            )
            still_in = visits[-1] == len(history) - 1
            days = (
                None
                if still_in
                else sum((history[i + 1][0] - history[i][0]).total_seconds() for i in visits)
                / 86400
            )
            cells[(team, stage)].append((week_of(first), converted, days))
    return cells


def test_deal_stage_funnel_is_conversion_and_days_in_stage_per_stage(demo_warehouse):
    """The funnel page's cells (rpt_sales_stage_funnel) equal the conversion and
    median days in stage recomputed from the raw stage histories over the 13
    weeks ending with the latest week a deal entered a stage."""
    team_ids = dict(demo_warehouse.query("select team_name, team_id from marts.dim_teams"))
    cells = deal_stage_cells(demo_warehouse.exports, team_ids)
    latest = max(week for deals in cells.values() for week, _, _ in deals)
    window_from = latest - dt.timedelta(weeks=12)
    rows = demo_warehouse.query(
        "select team_id, deal_stage, entered_count, converted_count, conversion, "
        "days_in_stage_p50, is_suppressed from reports.rpt_sales_stage_funnel"
    )
    expected_keys = {
        key for key, deals in cells.items() if any(week >= window_from for week, _, _ in deals)
    }
    assert {(team, stage) for team, stage, *_ in rows} == expected_keys
    assert len(rows) == 2 * len(OPEN_STAGES), "both demo sales teams, every open stage"
    for team, stage, entered, converted, conversion, days_p50, suppressed in rows:
        assert not suppressed, f"{team} {stage}: the demo's sales teams have nine deal owners"
        recent = [deal for deal in cells[(team, stage)] if deal[0] >= window_from]
        assert entered == len(recent), (team, stage)
        assert converted == sum(1 for _, did, _ in recent if did), (team, stage)
        assert abs(conversion - converted / entered) < 1e-12
        assert 0 < conversion < 1, f"{team} {stage}: deals are both lost and won at every stage"
        left = [days for _, _, days in recent if days is not None]
        assert abs(days_p50 - statistics.median(left)) < 1e-9, (team, stage)


NOT_A_TOUCH = {"NO_SHOW", "CANCELED", "CANCELLED", "RESCHEDULED"}


def readable(contact: dict) -> bool:
    try:
        parse(contact["createdAt"])
    except (KeyError, TypeError, ValueError):
        return False
    return True


def touched_leads(exports: Path, team_ids: dict[str, str]) -> list[dict]:
    """One row per lead (contact) with a team and a first sales touch at or after
    its creation: an outgoing call or email, or a meeting that took place."""
    owners = read_jsonl(exports / "hubspot" / "owners.jsonl")
    team_of_owner = {
        owner["id"]: team_ids[owner["teams"][0]["name"]] for owner in owners if owner["teams"]
    }
    contacts = latest_by_id(
        read_jsonl(exports / "hubspot" / "contacts.jsonl"),
        lambda c: c["id"],
        lambda c: parse(c["updatedAt"]),
    )
    # The demo plants records the loader quarantines (an unreadable createdAt).
    leads = {int(c["id"]): c for c in contacts if not c.get("archived") and readable(c)}
    first_touch: dict[int, dt.datetime] = {}
    engagements = latest_by_id(
        read_jsonl(exports / "hubspot" / "engagements.jsonl"),
        lambda e: e["engagement"]["id"],
        lambda e: e["engagement"]["lastUpdated"],
    )
    for record in engagements:
        engagement = record["engagement"]
        outcome = (record.get("metadata") or {}).get("meetingOutcome") or "COMPLETED"
        if not engagement.get("active", True):
            continue
        if engagement["type"] == "MEETING" and outcome.upper() in NOT_A_TOUCH:
            continue
        if engagement["type"] not in ("CALL", "EMAIL", "MEETING"):
            continue
        at = dt.datetime.fromtimestamp(engagement["timestamp"] / 1000, dt.UTC)
        for contact_id in record["associations"]["contactIds"]:
            lead = leads.get(contact_id)
            if lead is None or at < parse(lead["createdAt"]):
                continue
            if contact_id not in first_touch or at < first_touch[contact_id]:
                first_touch[contact_id] = at
    rows = []
    for contact_id, touched_at in first_touch.items():
        props = leads[contact_id]["properties"]
        team = team_of_owner.get(props.get("hubspot_owner_id"))
        if team is None:
            continue
        created = parse(leads[contact_id]["createdAt"])
        rows.append(
            {
                "team_id": team,
                "week": week_of(created),
                "source": (props.get("hs_analytics_source") or "unknown").lower(),
                "hours": (touched_at - created).total_seconds() / 3600,
            }
        )
    return rows


def test_speed_to_lead_by_source_is_median_hours_per_lead_source(demo_warehouse):
    """The leads page's cells (rpt_sales_speed_to_lead_by_source) equal the touched
    leads and median hours to first touch recomputed per team and lead source
    from the raw contacts and engagements, over the 13 weeks ending with the
    latest week a touched lead was created."""
    team_ids = dict(demo_warehouse.query("select team_name, team_id from marts.dim_teams"))
    leads = touched_leads(demo_warehouse.exports, team_ids)
    assert len(leads) > 200, f"the demo export has only {len(leads)} touched leads"
    window_from = max(lead["week"] for lead in leads) - dt.timedelta(weeks=12)
    cells: dict[tuple[str, str], list[float]] = defaultdict(list)
    for lead in leads:
        if lead["week"] >= window_from:
            cells[(lead["team_id"], lead["source"])].append(lead["hours"])
    rows = demo_warehouse.query(
        "select team_id, lead_source, lead_count, speed_to_lead_p50_hours, "
        "within_1_business_hour_share, is_suppressed "
        "from reports.rpt_sales_speed_to_lead_by_source"
    )
    assert {(team, source) for team, source, *_ in rows} == set(cells)
    shown = [row for row in rows if not row[5]]
    assert len(shown) >= 4, "most demo lead sources have five people behind them"
    for team, source, count, p50, share, suppressed in rows:
        hours = cells[(team, source)]
        if suppressed:
            assert p50 is None and share is None and count is None
            continue
        assert count in (None, len(hours)), (team, source)
        assert abs(p50 - statistics.median(hours)) < 1e-9, (team, source)
        assert share is None or 0 <= share <= 1
    # The planted slow sales team is slower from every lead source it shows.
    planted = demo_warehouse.manifest["planted"]["slow_sales_team"]
    slow = team_ids[planted["team"]]
    medians = defaultdict(dict)
    for team, source, _, p50, _, suppressed in rows:
        if not suppressed:
            medians[source][team] = p50
    compared = [by_team for by_team in medians.values() if slow in by_team and len(by_team) > 1]
    assert compared, "no lead source shows the slow team beside another"
    assert all(by_team[slow] == max(by_team.values()) for by_team in compared)
