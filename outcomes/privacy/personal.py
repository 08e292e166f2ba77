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

"Today" is the data's as-of time (kpis.kpi_base_data_as_of, per source, as
the nudge rules judge it) unless `as_of` pins it. What waits on the person
today follows the nudge rules' definitions and thresholds (docs/nudges.md):

- reviews requested of them: open pull requests of others whose latest
  review request names them, with no review of theirs since;
- their items aging: tasks they own in progress past their team's p85 cycle
  time times the wip_aging threshold (the p85 of nudge_rule_wip_aging: the
  team's tasks done in the 90 days before today, at least 5 of them);
- tickets near SLA: open tickets they own whose running SLA target
  (kpi_base_case_sla, not stopped) has used at least the ticket_sla_risk
  share of its target (nudges.nudge_base_team_rules, the team's own row).

Trends compare the person only with their own past: the median of the last
4 full weeks against the median of the 12 full weeks before. Wellbeing
signals are computed only when the person asks for them.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from outcomes.config import PROJECT_DIR
from outcomes.errors import OutcomesError
from outcomes.privacy.people import audit_log_for, find_person
from outcomes.warehouse import connect

REPORTS_DIR = PROJECT_DIR / "reports"

RECENT_WEEKS = 4  # "lately": the last 4 full weeks before today's week
USUAL_WEEKS = 12  # "your usual": the 12 full weeks before those
WELLBEING_BASELINE_WEEKS = 8  # the wellbeing signals compare with the 8 weeks before
MIN_USUAL_COUNT = 3  # a usual needs 3 values (figures) or weeks (time use)
MIN_WELLBEING_WEEKS = 2  # weeks of calendar data each side of a wellbeing signal
SAME_BAND = 0.10  # within 10% of the usual reads "about your usual"
WELLBEING_MIN_CHANGE_HOURS = 0.5  # a signal needs half an hour a week of change, too

# Each query returns (when, hours): the moment the value was known, for the trends.
PR_CYCLE = """
select done_at, epoch(done_at - created_at) / 3600.0
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
select first_reviews.first_review_at,
    epoch(first_reviews.first_review_at - items.created_at) / 3600.0
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
select my_reviews.reviewed_at, epoch(my_reviews.reviewed_at - items.created_at) / 3600.0
from my_reviews
inner join marts.fct_work_items as items on my_reviews.work_item_id = items.work_item_id
where items.owner_person_id is distinct from $person
"""

TASK_CYCLE = """
select done_at, cycle_time_hours
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

# Today: the pinned time, else the latest as-of time of the data held.
TODAY = """
select coalesce(cast($as_of as timestamp), max(as_of_at)) from kpis.kpi_base_data_as_of
"""

# The latest review request naming one of the person's GitHub accounts, on
# an open pull request of someone else, with no review of theirs since.
REVIEWS_WAITING = """
with my_accounts as (
    select account_id from intermediate.int_accounts_mapped
    where source_system = 'github' and person_id = $person
),
today as (
    select coalesce(cast($as_of as timestamp), max(as_of_at)) as as_of_at
    from kpis.kpi_base_data_as_of
    where source_system = 'github'
),
requests as (
    select
        'github:pull_request:' || cast(events.pull_request_id as varchar) as work_item_id,
        max(events.created_at) as requested_at
    from staging.stg_github__pull_request_events as events
    cross join today
    where events.event_type = 'review_requested'
        and events.requested_reviewer_account_id in (select account_id from my_accounts)
        and events.created_at <= today.as_of_at
    group by 1
),
my_reviews as (
    select events.work_item_id, max(events.occurred_at) as reviewed_at
    from marts.fct_work_events as events
    cross join today
    where events.event_type = 'pr.reviewed' and events.actor_person_id = $person
        and events.occurred_at <= today.as_of_at
    group by 1
)
select
    prs.repository_name || '#' || cast(prs.pull_request_number as varchar),
    requests.requested_at,
    epoch(today.as_of_at - requests.requested_at) / 3600.0
from requests
inner join marts.fct_pull_requests as prs on requests.work_item_id = prs.work_item_id
cross join today
left join my_reviews on requests.work_item_id = my_reviews.work_item_id
where prs.pull_request_status = 'open'
    and prs.author_person_id is distinct from $person
    and (my_reviews.reviewed_at is null or my_reviews.reviewed_at < requests.requested_at)
order by 2, 1
"""

# nudge_rule_wip_aging's definition for one owner, at today: that model holds
# the team p85 only on the rows it flags, at the data's as-of time.
ITEMS_AGING = """
with timed as (
    select
        items.*,
        coalesce(cast($as_of as timestamp), data_as_of.as_of_at) as as_of_at
    from marts.fct_work_items as items
    left join kpis.kpi_base_data_as_of as data_as_of
        on items.source_system = data_as_of.source_system
    where items.work_item_type = 'task' and items.team_id is not null
),
team_p85 as (
    select team_id, quantile_cont(cycle_time_hours, 0.85) as cycle_time_p85_hours,
        count(*) as done_count
    from timed
    where canonical_state = 'done' and cycle_time_hours is not null
        and done_at <= as_of_at and done_at > as_of_at - interval 2160 hour
    group by team_id
),
team_rules as (
    select team_id, threshold from nudges.nudge_base_team_rules where rule_id = 'wip_aging'
)
select
    timed.source_item_id,
    timed.canonical_state,
    epoch(timed.as_of_at - timed.started_at) / 3600.0 as age_hours,
    team_p85.cycle_time_p85_hours * team_rules.threshold as threshold_hours
from timed
inner join team_p85 on timed.team_id = team_p85.team_id
inner join team_rules on timed.team_id = team_rules.team_id
where timed.owner_person_id = $person
    and timed.canonical_state in ('in_progress', 'blocked', 'in_review')
    and timed.started_at is not null and timed.started_at <= timed.as_of_at
    and team_p85.done_count >= 5
    and epoch(timed.as_of_at - timed.started_at) / 3600.0
        > team_p85.cycle_time_p85_hours * team_rules.threshold
order by age_hours desc, 1
"""

# The running SLA targets of kpi_base_case_sla (no reply yet, not solved) of
# open tickets the person owns, past the ticket_sla_risk share of the time from
# creation to the deadline, as the nudge measures it (calendar hours: for a
# business-hours target the span skips nights and weekends, so it is longer).
TICKETS_NEAR_SLA = """
with today as (
    select coalesce(cast($as_of as timestamp), max(as_of_at)) as as_of_at
    from kpis.kpi_base_data_as_of
    where source_system = 'zendesk'
),
team_rules as (
    select team_id, threshold from nudges.nudge_base_team_rules
    where rule_id = 'ticket_sla_risk'
),
measured as (
    select
        items.source_item_id,
        sla.sla_metric,
        epoch(sla.deadline_at - sla.created_at) / 3600.0 as target_hours,
        team_rules.threshold,
        epoch(today.as_of_at - sla.created_at) / 3600.0 as elapsed_hours
    from kpis.kpi_base_case_sla as sla
    inner join marts.fct_work_items as items on sla.work_item_id = items.work_item_id
    inner join team_rules on items.team_id = team_rules.team_id
    cross join today
    where items.owner_person_id = $person
        and items.canonical_state not in ('done', 'canceled')
        and sla.stopped_at is null
        and sla.created_at <= today.as_of_at
        and sla.deadline_at > sla.created_at
)
select source_item_id, sla_metric, target_hours, elapsed_hours, elapsed_hours / target_hours
from measured
where elapsed_hours >= target_hours * threshold
order by 5 desc, 1, 2
"""


@dataclass(frozen=True)
class Figure:
    name: str
    definition: str
    values: tuple[float, ...]
    dated: tuple[tuple[dt.datetime, float], ...] = ()

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def p85(self) -> float | None:
        if len(self.values) < 2:
            return self.values[0] if self.values else None
        return statistics.quantiles(self.values, n=20, method="inclusive")[16]


@dataclass(frozen=True)
class Trend:
    """A figure's recent median against the person's own usual (never anyone else's)."""

    name: str
    unit: str  # "h" (a duration, shorter is less) or "h a week"
    recent: tuple[float, ...]
    usual: tuple[float, ...]
    lower: str = "shorter than your usual"
    higher: str = "longer than your usual"

    @property
    def recent_median(self) -> float | None:
        return statistics.median(self.recent) if self.recent else None

    @property
    def usual_median(self) -> float | None:
        return statistics.median(self.usual) if self.usual else None

    @property
    def words(self) -> str:
        recent, usual = self.recent_median, self.usual_median
        if recent is None or usual is None or len(self.usual) < MIN_USUAL_COUNT:
            return "not enough of your own history yet"
        if recent > usual * (1 + SAME_BAND) and recent > usual:
            return self.higher
        if recent < usual * (1 - SAME_BAND):
            return self.lower
        return "about your usual"


@dataclass(frozen=True)
class WaitingReview:
    pull_request: str
    requested_at: dt.datetime
    waiting_hours: float


@dataclass(frozen=True)
class AgingItem:
    item: str
    state: str
    age_hours: float
    threshold_hours: float


@dataclass(frozen=True)
class TicketNearSla:
    ticket: str
    sla_metric: str
    target_hours: float
    elapsed_hours: float
    elapsed_share: float


@dataclass(frozen=True)
class Wellbeing:
    """Opt-in signals from the person's own weeks; held only in their private file."""

    after_hours_recent: float | None
    after_hours_before: float | None
    focus_recent: float | None
    focus_before: float | None
    break_nudge: bool = False

    @property
    def after_hours_rising(self) -> bool:
        return _changed(self.after_hours_recent, self.after_hours_before, rising=True)

    @property
    def focus_shrinking(self) -> bool:
        return _changed(self.focus_recent, self.focus_before, rising=False)


def _changed(recent: float | None, before: float | None, *, rising: bool) -> bool:
    if recent is None or before is None:
        return False
    change = recent - before if rising else before - recent
    return change >= WELLBEING_MIN_CHANGE_HOURS and change > before * SAME_BAND


@dataclass(frozen=True)
class PersonalView:
    person_key: str
    display_name: str | None
    figures: tuple[Figure, ...]
    time_use_weeks: tuple[tuple[str, float, float, float, float], ...]
    today: dt.datetime | None = None
    today_pinned: bool = False
    reviews_waiting: tuple[WaitingReview, ...] = ()
    items_aging: tuple[AgingItem, ...] = ()
    tickets_near_sla: tuple[TicketNearSla, ...] = ()
    trends: tuple[Trend, ...] = ()
    wellbeing: Wellbeing | None = field(default=None)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[tuple]:
    try:
        return con.execute(sql, params).fetchall()
    except duckdb.CatalogException as exc:
        missing = str(exc).splitlines()[0]
        raise OutcomesError(
            f"the personal view reads a model this warehouse lacks ({missing}): "
            "run `outcomes build` first"
        ) from None


def _dated(
    con: duckdb.DuckDBPyConnection, sql: str, person: str
) -> tuple[tuple[dt.datetime, float], ...]:
    rows = _rows(con, sql, {"person": person})
    return tuple((at, float(v)) for at, v in rows if v is not None)


def _figure(
    con: duckdb.DuckDBPyConnection, name: str, definition: str, sql: str, person: str
) -> Figure:
    dated = _dated(con, sql, person)
    return Figure(name, definition, tuple(sorted(v for _, v in dated)), dated)


def _today(con: duckdb.DuckDBPyConnection, as_of: dt.datetime | None) -> dt.datetime:
    ((today,),) = _rows(con, TODAY, {"as_of": as_of})
    if today is None:
        raise OutcomesError(
            "kpis.kpi_base_data_as_of holds no as-of time (no events loaded): give --as-of"
        )
    return today


def _week_start(moment: dt.datetime | dt.date) -> dt.date:
    day = _day(moment)
    return day - dt.timedelta(days=day.weekday())


def _windows(today: dt.datetime, recent_weeks: int, before_weeks: int):
    """(recent start, before start, end) dates: full ISO weeks before today's week."""
    end = _week_start(today)
    recent_start = end - dt.timedelta(weeks=recent_weeks)
    return recent_start, recent_start - dt.timedelta(weeks=before_weeks), end


def _split(dated, today: dt.datetime, before_weeks: int = USUAL_WEEKS):
    recent_start, before_start, end = _windows(today, RECENT_WEEKS, before_weeks)
    recent = tuple(v for at, v in dated if at is not None and recent_start <= _day(at) < end)
    before = tuple(
        v for at, v in dated if at is not None and before_start <= _day(at) < recent_start
    )
    return recent, before


def _day(moment: dt.datetime | dt.date) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def _trends(figures: tuple[Figure, ...], weeks, today: dt.datetime) -> tuple[Trend, ...]:
    trends = [Trend(f.name, "h", *_split(f.dated, today)) for f in figures]
    for column, name in (
        (2, "Focus hours"),
        (1, "Meeting hours"),
        (4, "After-hours meeting hours"),
    ):
        dated = [(dt.date.fromisoformat(week[0]), week[column]) for week in weeks]
        trends.append(
            Trend(
                name,
                "h a week",
                *_split(dated, today),
                "less than your usual",
                "more than your usual",
            )
        )
    return tuple(trends)


def _mean(values: tuple[float, ...]) -> float | None:
    return statistics.fmean(values) if len(values) >= MIN_WELLBEING_WEEKS else None


def _wellbeing(weeks, today: dt.datetime, break_nudge: bool) -> Wellbeing:
    after = [(dt.date.fromisoformat(w[0]), w[4]) for w in weeks]
    focus = [(dt.date.fromisoformat(w[0]), w[2]) for w in weeks]
    after_recent, after_before = _split(after, today, WELLBEING_BASELINE_WEEKS)
    focus_recent, focus_before = _split(focus, today, WELLBEING_BASELINE_WEEKS)
    return Wellbeing(
        _mean(after_recent),
        _mean(after_before),
        _mean(focus_recent),
        _mean(focus_before),
        break_nudge,
    )


def personal_view(
    con: duckdb.DuckDBPyConnection,
    email: str,
    salt: bytes,
    as_of: dt.datetime | None = None,
    wellbeing: bool = False,
    break_nudge: bool = False,
) -> PersonalView:
    """The person's own view; the wellbeing signals only when they ask (wellbeing=True)."""
    if break_nudge and not wellbeing:
        raise OutcomesError("the break nudge is part of the wellbeing signals: ask for both")
    person = find_person(con, email, salt)
    key = person.person_key
    figures = (
        _figure(con, "PR cycle time", "your pull requests, opened to merged", PR_CYCLE, key),
        _figure(
            con,
            "PR pickup wait",
            "your pull requests, opened to the first review by someone else",
            PR_PICKUP,
            key,
        ),
        _figure(
            con,
            "Review turnaround given",
            "pull requests of others you reviewed, opened to your first review",
            REVIEWS_GIVEN,
            key,
        ),
        _figure(
            con, "Task cycle time", "tasks you own, first in progress to done", TASK_CYCLE, key
        ),
    )
    weeks = tuple(
        (str(week), *(float(value) for value in values))
        for week, *values in _rows(con, TIME_USE_WEEKS, {"person": key})
    )
    today = _today(con, as_of)
    params = {"person": key, "as_of": as_of}
    reviews = tuple(
        WaitingReview(ref, at, float(hours))
        for ref, at, hours in _rows(con, REVIEWS_WAITING, params)
    )
    aging = tuple(
        AgingItem(str(ref), state, float(age), float(threshold))
        for ref, state, age, threshold in _rows(con, ITEMS_AGING, params)
    )
    tickets = tuple(
        TicketNearSla(str(ref), metric, float(target), float(elapsed), float(share))
        for ref, metric, target, elapsed, share in _rows(con, TICKETS_NEAR_SLA, params)
    )
    return PersonalView(
        key,
        person.display_name,
        figures,
        weeks,
        today=today,
        today_pinned=as_of is not None,
        reviews_waiting=reviews,
        items_aging=aging,
        tickets_near_sla=tickets,
        trends=_trends(figures, weeks, today),
        wellbeing=_wellbeing(weeks, today, break_nudge) if wellbeing else None,
    )


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} h"


def _waiting_lines(view: PersonalView) -> list[str]:
    basis = "as given" if view.today_pinned else "the data's as-of time"
    lines = [
        "",
        f"## Waiting on you today ({view.today:%Y-%m-%d %H:%M} UTC, {basis})",
        "",
        "### Reviews requested of you",
        "",
    ]
    if view.reviews_waiting:
        lines += ["| Pull request | Requested | Waiting |", "|---|---|---:|"]
        lines += [
            f"| {r.pull_request} | {r.requested_at:%Y-%m-%d %H:%M} | {_hours(r.waiting_hours)} |"
            for r in view.reviews_waiting
        ]
    else:
        lines.append("No review is waiting on you.")
    lines += ["", "### Your items in progress longer than your team's usual", ""]
    if view.items_aging:
        lines += [
            "In progress longer than 85% of your team's recently finished tasks took.",
            "",
            "| Item | State | In progress for | Team's 85th percentile |",
            "|---|---|---:|---:|",
        ]
        lines += [
            f"| {i.item} | {i.state} | {_hours(i.age_hours)} | {_hours(i.threshold_hours)} |"
            for i in view.items_aging
        ]
    else:
        lines.append("None of your items in progress is past your team's usual.")
    lines += ["", "### Your tickets near or past their SLA", ""]
    if view.tickets_near_sla:
        lines += ["| Ticket | SLA | Target | Elapsed | Share used |", "|---|---|---:|---:|---:|"]
        lines += [
            f"| {t.ticket} | {t.sla_metric.replace('_', ' ')} | {_hours(t.target_hours)} | "
            f"{_hours(t.elapsed_hours)} | "
            f"{'past the target' if t.elapsed_share >= 1 else f'{t.elapsed_share:.0%}'} |"
            for t in view.tickets_near_sla
        ]
    else:
        lines.append("No ticket of yours is near its SLA.")
    return lines


def _trend_lines(view: PersonalView) -> list[str]:
    lines = [
        "",
        "## Your own trends",
        "",
        f"Each figure's median over the last {RECENT_WEEKS} full weeks against your own median",
        f"over the {USUAL_WEEKS} weeks before: you against your own past, nobody else.",
        "",
        "| Figure | Last 4 weeks | Your previous 12 weeks | |",
        "|---|---:|---:|---|",
    ]
    for trend in view.trends:
        unit = " a week" if trend.unit == "h a week" else ""
        recent = _hours(trend.recent_median) + (unit if trend.recent else "")
        usual = _hours(trend.usual_median) + (unit if trend.usual else "")
        lines.append(f"| {trend.name} | {recent} | {usual} | {trend.words} |")
    return lines


def _wellbeing_lines(signals: Wellbeing) -> list[str]:
    lines = [
        "",
        "## Wellbeing (you asked for this; it is kept nowhere but this file)",
        "",
        f"Your last {RECENT_WEEKS} full weeks against the {WELLBEING_BASELINE_WEEKS} weeks "
        "before, from your own calendar.",
        "",
    ]
    if signals.after_hours_rising:
        lines.append(
            f"- Meetings outside your working hours have been growing: "
            f"{signals.after_hours_recent:.1f} h a week lately, against "
            f"{signals.after_hours_before:.1f} h a week before. If that is not by choice, "
            "it may be worth a look."
        )
    if signals.focus_shrinking:
        lines.append(
            f"- Your focus time has been shrinking: {signals.focus_recent:.1f} h a week "
            f"lately, against {signals.focus_before:.1f} h a week before. Protecting a "
            "block or two might help, if you can."
        )
    signal = signals.after_hours_rising or signals.focus_shrinking
    if not signal:
        if signals.after_hours_recent is None or signals.focus_recent is None:
            lines.append("- Not enough weeks of your calendar yet to say anything.")
        else:
            lines.append("- Nothing stands out: your weeks look like your own recent ones.")
    if signals.break_nudge:
        lines += [
            "",
            "**Break nudge** (you switched it on): "
            + (
                "this may be a good week to take a real break, away from the screen."
                if signal
                else "nothing calls for one now; it speaks up when a signal above does."
            ),
        ]
    return lines


def render_markdown(view: PersonalView) -> str:
    lines = [
        f"# Your own figures{f', {view.display_name}' if view.display_name else ''}",
        "",
        "This file was generated at your request and only for you. It is not part",
        "of the published reports, and no team report ranks or lists individuals.",
        "Hours are calendar hours.",
    ]
    if view.today is not None:
        lines += _waiting_lines(view)
    lines += [
        "",
        "## Your figures",
        "",
        "| Figure | What it measures | Count | Median | 85th percentile |",
        "|---|---|---:|---:|---:|",
    ]
    for figure in view.figures:
        lines.append(
            f"| {figure.name} | {figure.definition} | {len(figure.values)} | "
            f"{_hours(figure.median)} | {_hours(figure.p85)} |"
        )
    if view.trends:
        lines += _trend_lines(view)
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
    if view.wellbeing is not None:
        lines += _wellbeing_lines(view.wellbeing)
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
    as_of: dt.datetime | None = None,
    wellbeing: bool = False,
    break_nudge: bool = False,
) -> PersonalView:
    """Write the person's view to `out` (mode 600); refuse a path in the report site."""
    if _inside(out, reports_dir):
        raise OutcomesError(
            f"refusing to write a personal view inside the report site ({reports_dir}): "
            "individual figures are never published; choose a private path"
        )
    con = connect(warehouse)
    try:
        view = personal_view(con, email, salt, as_of, wellbeing, break_nudge)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_markdown(view))
    out.chmod(0o600)
    audit_log_for(warehouse, salt).append(
        "privacy.personal_view", {"person": view.person_key}, actor=actor
    )
    return view
