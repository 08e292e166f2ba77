"""The personal view (docs/privacy.md#no-ranking-and-the-personal-view): one person's own figures, for them.

Individual figures exist only here, generated for one person at their own
request, written to a private file outside the report site and never
published. The figures use the KPI definitions of the team marts, per person:

- PR cycle time: their pull requests, opened -> merged, calendar hours;
- PR pickup wait: their pull requests, opened -> first review by someone else
  (not a bot), calendar hours;
- review turnaround given: PRs of others they reviewed, opened -> their first
  review, calendar hours;
- task cycle time: tasks they own, first in progress -> done (fct_work_items);
- meeting hours per ISO week: meetings they attended (accepted or tentative,
  not cancelled, not all-day), summed duration.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import duckdb

from outcomes.config import PROJECT_DIR
from outcomes.errors import OutcomesError
from outcomes.privacy.people import audit_log_for, find_person
from outcomes.warehouse import connect

REPORTS_DIR = PROJECT_DIR / "reports"

PR_CYCLE = """
select epoch(done_at - created_at) / 3600.0
from marts.fct_work_items
where work_item_type = 'pull_request' and owner_person_id = $person and done_at is not null
"""

PR_PICKUP = """
with first_reviews as (
    select work_item_id, min(occurred_at) as first_review_at
    from marts.fct_work_events
    where event_type = 'pr.reviewed' and actor_type <> 'bot'
        and actor_person_id is distinct from $person
    group by work_item_id
)
select epoch(first_reviews.first_review_at - items.created_at) / 3600.0
from marts.fct_work_items as items
inner join first_reviews on items.work_item_id = first_reviews.work_item_id
where items.work_item_type = 'pull_request' and items.owner_person_id = $person
"""

REVIEWS_GIVEN = """
with my_reviews as (
    select work_item_id, min(occurred_at) as reviewed_at
    from marts.fct_work_events
    where event_type = 'pr.reviewed' and actor_person_id = $person
    group by work_item_id
)
select epoch(my_reviews.reviewed_at - items.created_at) / 3600.0
from my_reviews
inner join marts.fct_work_items as items on my_reviews.work_item_id = items.work_item_id
where items.owner_person_id is distinct from $person
"""

TASK_CYCLE = """
select cycle_time_hours
from marts.fct_work_items
where work_item_type = 'task' and owner_person_id = $person and cycle_time_hours is not null
"""

# The same person-days the team KPIs of kpi_time_use are built from, so a
# person's own week reads exactly as it counts in their team's figures.
TIME_USE_WEEKS = """
select
    cast(date_trunc('week', work_date) as date) as week_start,
    sum(meeting_hours) as meeting_hours,
    sum(focus_hours) as focus_hours,
    sum(fragmented_hours) as fragmented_hours,
    sum(after_hours_meeting_hours) as after_hours_meeting_hours
from intermediate.int_person_day_time_use
where person_id = $person
group by 1
order by 1
"""


@dataclass(frozen=True)
class Figure:
    name: str
    definition: str
    values: tuple[float, ...]

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def p85(self) -> float | None:
        if len(self.values) < 2:
            return self.values[0] if self.values else None
        return statistics.quantiles(self.values, n=20, method="inclusive")[16]


@dataclass(frozen=True)
class PersonalView:
    person_key: str
    display_name: str | None
    figures: tuple[Figure, ...]
    time_use_weeks: tuple[tuple[str, float, float, float, float], ...]


def _values(con: duckdb.DuckDBPyConnection, sql: str, person: str) -> tuple[float, ...]:
    rows = con.execute(sql, {"person": person}).fetchall()
    return tuple(sorted(float(v) for (v,) in rows if v is not None))


def personal_view(con: duckdb.DuckDBPyConnection, email: str, salt: bytes) -> PersonalView:
    person = find_person(con, email, salt)
    key = person.person_key
    figures = (
        Figure(
            "PR cycle time", "your pull requests, opened to merged", _values(con, PR_CYCLE, key)
        ),
        Figure(
            "PR pickup wait",
            "your pull requests, opened to the first review by someone else",
            _values(con, PR_PICKUP, key),
        ),
        Figure(
            "Review turnaround given",
            "pull requests of others you reviewed, opened to your first review",
            _values(con, REVIEWS_GIVEN, key),
        ),
        Figure(
            "Task cycle time",
            "tasks you own, first in progress to done",
            _values(con, TASK_CYCLE, key),
        ),
    )
    weeks = tuple(
        (str(week), *(float(value) for value in values))
        for week, *values in con.execute(TIME_USE_WEEKS, {"person": key}).fetchall()
    )
    return PersonalView(key, person.display_name, figures, weeks)


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} h"


def render_markdown(view: PersonalView) -> str:
    lines = [
        f"# Your own figures{f', {view.display_name}' if view.display_name else ''}",
        "",
        "This file was generated at your request and only for you. It is not part",
        "of the published reports, and no team report ranks or lists individuals.",
        "Hours are calendar hours.",
        "",
        "| Figure | What it measures | Count | Median | 85th percentile |",
        "|---|---|---:|---:|---:|",
    ]
    for figure in view.figures:
        lines.append(
            f"| {figure.name} | {figure.definition} | {len(figure.values)} | "
            f"{_hours(figure.median)} | {_hours(figure.p85)} |"
        )
    lines += [
        "",
        "## Where your time went, per week",
        "",
        "Meetings of 2 to 25 people you did not decline (overlaps merged), and the free",
        "time of your working window: focus in blocks of 2 hours or more, fragmented",
        "in shorter gaps. Your team's figures are built from the same days.",
        "",
    ]
    if view.time_use_weeks:
        lines += [
            "| Week starting | Meeting hours | Focus hours | Fragmented hours | "
            "After-hours meeting hours |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {week} | {meeting:.1f} | {focus:.1f} | {fragmented:.1f} | {after:.1f} |"
            for week, meeting, focus, fragmented, after in view.time_use_weeks
        ]
    else:
        lines.append("No calendar of yours is in the data held.")
    return "\n".join(lines) + "\n"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def write_personal_view(
    warehouse: Path,
    email: str,
    salt: bytes,
    out: Path,
    actor: str | None = None,
    reports_dir: Path = REPORTS_DIR,
) -> PersonalView:
    """Write the person's view to `out` (mode 600); refuse a path in the report site."""
    if _inside(out, reports_dir):
        raise OutcomesError(
            f"refusing to write a personal view inside the report site ({reports_dir}): "
            "individual figures are never published; choose a private path"
        )
    con = connect(warehouse)
    try:
        view = personal_view(con, email, salt)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_markdown(view))
    out.chmod(0o600)
    audit_log_for(warehouse, salt).append(
        "privacy.personal_view", {"person": view.person_key}, actor=actor
    )
    return view
