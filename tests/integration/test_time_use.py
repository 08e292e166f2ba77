"""Where the time goes (issue 12, Focus and meeting hygiene) on the demo organisation.

int_person_day_time_use is recomputed here from the staged calendar, the
roster's schedules and the holidays seed by a second implementation in plain
Python (zoneinfo for the working windows, interval lists for the unions), and
every person-day must agree. The team KPIs must then be each team-week's
total per person-week, published only where at least five people stand
behind them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

UTC = ZoneInfo("UTC")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TIME_USE_KPIS = {
    "meeting_hours_per_person": "meeting_hours",
    "focus_hours_per_person": "focus_hours",
    "fragmented_hours_per_person": "fragmented_hours",
    "short_free_segments_per_person": "short_free_segment_count",
    "after_hours_meeting_hours_per_person": "after_hours_meeting_hours",
    "broadcast_hours_per_person": "broadcast_hours",
}


def hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def union(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def busy_by_person(demo_warehouse) -> dict[str, list[tuple[str, datetime, datetime]]]:
    """The docs' rules, from the staged events: meetings, broadcasts, out of office."""
    events = {
        row[0]: row[1:]
        for row in demo_warehouse.query(
            """
            select calendar_event_id, calendar_event_type, transparency, start_at, end_at,
                organizer_person_id
            from staging.stg_calendar__events
            where event_status <> 'cancelled' and not is_all_day and end_at > start_at
            """
        )
    }
    invitees: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for event_id, person, response in demo_warehouse.query(
        """
        select calendar_event_id, attendee_person_id, response_status
        from staging.stg_calendar__event_attendees where not is_resource
        """
    ):
        invitees[event_id].append((person, response))
    busy: dict[str, list[tuple[str, datetime, datetime]]] = defaultdict(list)
    for event_id, (kind, transparency, start, end, organizer) in events.items():
        if kind == "outOfOffice":
            busy[organizer].append(("out_of_office", start, end))
            continue
        people = {person for person, _ in invitees[event_id]}
        if kind != "default" or transparency == "transparent" or len(people) < 2:
            continue
        if hours(start, end) >= 8:
            continue
        label = "broadcast" if len(people) > 25 else "meeting"
        for person, response in invitees[event_id]:
            if response != "declined":
                busy[person].append((label, start, end))
    return busy


def expected_days(demo_warehouse) -> dict[tuple[str, date], dict[str, float]]:
    schedules = {
        row[0]: row[1:]
        for row in demo_warehouse.query(
            """
            select people.person_id, coalesce(people.time_zone, teams.time_zone, 'UTC'),
                people.work_days, people.work_start_time, people.work_end_time
            from intermediate.int_people as people
            left join intermediate.int_team_schedules as teams using (team_id)
            """
        )
    }
    holidays = demo_warehouse.query("select time_zone, team_id, holiday_date from seeds.holidays")
    out_of_office: set[tuple[str, date]] = set()
    for person, first, last in demo_warehouse.query(
        """
        select organizer_person_id, start_date, end_date from staging.stg_calendar__events
        where is_all_day and calendar_event_type = 'outOfOffice' and event_status <> 'cancelled'
        """
    ):
        day = first
        while day < last:
            out_of_office.add((person, day))
            day += timedelta(days=1)
    busy = busy_by_person(demo_warehouse)
    days = demo_warehouse.query(
        "select person_id, team_id, work_date from intermediate.int_person_work_days"
    )
    expected = {}
    for person, team, day in days:
        zone_name, work_days, start_text, end_text = schedules[person]
        zone = ZoneInfo(zone_name)
        day_start = utc(datetime.combine(day, time()), zone)
        day_end = utc(datetime.combine(day + timedelta(days=1), time()), zone)
        is_holiday = any(
            h_day == day and (h_team == team or (h_team is None and h_zone == zone_name))
            for h_zone, h_team, h_day in holidays
        )
        working = (
            WEEKDAYS[day.weekday()] in work_days.split("|")
            and not is_holiday
            and (person, day) not in out_of_office
        )
        window = None
        if working:
            start_clock = time.fromisoformat(start_text)
            end_clock = time.fromisoformat(end_text)
            window = (
                utc(datetime.combine(day, start_clock), zone),
                utc(datetime.combine(day, end_clock), zone),
            )
        today = [(k, s, e) for k, s, e in busy.get(person, []) if day_start <= s < day_end]
        meetings = union([(s, e) for k, s, e in today if k == "meeting"])
        broadcasts = union([(s, e) for k, s, e in today if k == "broadcast"])
        meeting_hours = sum(hours(s, e) for s, e in meetings)
        in_window = 0.0
        segments: list[float] = []
        if window:
            in_window = sum(
                max(0.0, hours(max(s, window[0]), min(e, window[1]))) for s, e in meetings
            )
            clipped = union(
                [
                    (max(s, window[0]), min(e, window[1]))
                    for _, s, e in today
                    if s < window[1] and e > window[0]
                ]
            )
            cursor = window[0]
            for s, e in clipped:
                segments.append(hours(cursor, s))
                cursor = e
            segments.append(hours(cursor, window[1]))
        segments = [length for length in segments if length > 0]
        expected[(person, day)] = {
            "meeting_hours": meeting_hours,
            "broadcast_hours": sum(hours(s, e) for s, e in broadcasts),
            "after_hours_meeting_hours": meeting_hours - in_window,
            "focus_hours": sum(length for length in segments if length >= 2),
            "fragmented_hours": sum(length for length in segments if length < 2),
            "short_free_segment_count": sum(1 for length in segments if length < 1),
        }
    return expected


@pytest.fixture(scope="module")
def time_use(demo_warehouse) -> dict[tuple[str, date], dict[str, float]]:
    columns = ["team_id", "is_working_day", *TIME_USE_KPIS.values()]
    rows = demo_warehouse.query(
        f"select person_id, work_date, {', '.join(columns)} "
        "from intermediate.int_person_day_time_use"
    )
    return {(row[0], row[1]): dict(zip(columns, row[2:], strict=True)) for row in rows}


def test_every_person_day_matches_a_second_implementation(demo_warehouse, time_use):
    expected = expected_days(demo_warehouse)
    assert len(time_use) == len(expected) > 1000
    assert sum(day["meeting_hours"] for day in expected.values()) > 1000
    assert sum(day["short_free_segment_count"] for day in expected.values()) > 100
    wrong = [
        (key, measure, time_use[key][measure], value)
        for key, day in expected.items()
        for measure, value in day.items()
        if abs(time_use[key][measure] - value) > 1e-6
    ]
    assert not wrong[:5], f"{len(wrong)} person-day figures differ, e.g. {wrong[:5]}"


def test_team_kpis_are_the_total_per_person_week_published_for_five_or_more(
    demo_warehouse, time_use
):
    person_weeks: dict[tuple[str, date], dict[str, dict[str, float]]] = defaultdict(dict)
    for (person, day), row in time_use.items():
        if row["team_id"] is None:
            continue
        week = day - timedelta(days=day.weekday())
        sums = person_weeks[(row["team_id"], week)].setdefault(
            person, {"working": 0.0, **dict.fromkeys(TIME_USE_KPIS.values(), 0.0)}
        )
        sums["working"] += 1.0 if row["is_working_day"] else 0.0
        for measure in TIME_USE_KPIS.values():
            sums[measure] += row[measure]
    published = demo_warehouse.query(
        f"""
        select team_id, week_start, kpi_id, value, sample_size, contributor_count, is_suppressed
        from marts.fct_team_kpis_weekly
        where kpi_id in ({", ".join(f"'{kpi}'" for kpi in TIME_USE_KPIS)})
        """
    )
    assert published
    checked = 0
    for team, week, kpi, value, sample, contributors, suppressed in published:
        people = [p for p in person_weeks[(team, week)].values() if p["working"] > 0]
        assert sample == len(people) and contributors == len(people), (team, week, kpi)
        assert suppressed == (len(people) < 5), (team, week, kpi)
        if not suppressed:
            measure = TIME_USE_KPIS[kpi]
            assert value == pytest.approx(sum(p[measure] for p in people) / len(people))
            checked += 1
    assert checked > 100
