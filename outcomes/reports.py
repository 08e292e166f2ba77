"""The report site's data: CSV exports of the published marts, and the site build.

The Evidence site in `reports/` reads CSV files from its `static/` folder with
DuckDB's built-in CSV reader (see docs/stack-notes.md#evidence-report-site): the parquet
path of Evidence's own source pipeline needs an extension downloaded at run
time, which this project never does. So this module writes one aggregated,
team-level CSV per page need:

- only published marts (`marts.*`, `seeds.kpi_catalog`) and, for the quality
  page, counts and last-load times aggregated per source — never a row about a
  person;
- suppressed KPI cells keep `value` empty and `is_suppressed` true, so pages
  can say "suppressed" rather than show a zero.

`build_site()` writes the exports, then runs `npm run build` in `reports/`
(the node modules come from `npm install` with the committed lock file).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import duckdb

from outcomes.errors import OutcomesError

REPORTS_DIR = Path(__file__).resolve().parent.parent / "reports"
DATA_FOLDER = "data"  # under reports/static/, served at /data/<name>.csv

TEAM_KPIS_SQL = """
select
    kpis.team_id,
    teams.team_name,
    teams.function_name,
    kpis.week_start,
    kpis.kpi_id,
    catalog.kpi_name,
    kpis.category,
    catalog.unit,
    catalog.direction,
    kpis.value,
    kpis.sample_size,
    kpis.contributor_count,
    kpis.is_suppressed
from marts.fct_team_kpis_weekly as kpis
inner join marts.dim_teams as teams
    on kpis.team_id = teams.team_id
inner join seeds.kpi_catalog as catalog
    on kpis.kpi_id = catalog.kpi_id
order by kpis.team_id, kpis.kpi_id, kpis.week_start
"""

TEAMS_SQL = """
select
    teams.team_id,
    teams.team_name,
    teams.function_name,
    teams.member_count
from marts.dim_teams as teams
where teams.team_id in (select distinct team_id from marts.fct_team_kpis_weekly)
order by teams.team_id
"""

KPI_CATALOG_SQL = """
select kpi_id, kpi_name, category, function_name, unit, statistic, direction, definition
from seeds.kpi_catalog
order by category, kpi_id
"""

MEETINGS_SQL = """
select
    series.organizer_team_id as team_id,
    count(*) as series_count,
    count(*) filter (where series.is_review_candidate) as review_candidates,
    count(*) filter (where series.is_often_declined) as often_declined,
    count(*) filter (where series.has_no_agenda) as without_agenda,
    round(sum(series.attendee_hours_per_week), 1) as attendee_hours_per_week
from marts.fct_recurring_meeting_series as series
where series.organizer_team_id is not null
group by series.organizer_team_id
order by series.organizer_team_id
"""

QUARANTINE_SQL = """
select source_system, table_name, reason, count(*) as records
from quarantine.records
group by all
order by all
"""


# --- Engineering page (reports/pages/functions/engineering/delivery.md) -------
# Team-level aggregates of the published engineering marts. A cell backed by
# fewer than k distinct people (PR authors) keeps its counts and values empty
# and is_suppressed true, like every published KPI cell. {k} is filled in by
# export_csv (the k the marts were built with, never below 5).

ENG_PR_FLOW_WEEKLY_SQL = """
with pull_requests as (
    select
        prs.team_id,
        cast(date_trunc('week', prs.merged_at) as date) as week_start,
        prs.author_person_id,
        prs.has_review_data,
        prs.coding_time_hours,
        prs.pickup_time_hours,
        prs.review_time_hours,
        prs.deploy_time_hours,
        prs.cycle_time_hours,
        prs.cycle_time_basis
    from marts.fct_pull_requests as prs
    where prs.merged_at is not null
        and prs.team_id is not null
        and prs.author_type = 'person'
),
cells as (
    select
        team_id,
        week_start,
        count(*) as pr_count,
        count(distinct author_person_id) as contributor_count,
        count(*) filter (where has_review_data) as prs_with_review_data,
        count(*) filter (where cycle_time_basis = 'merged') as prs_measured_to_merge,
        quantile_cont(cycle_time_hours, 0.5) as cycle_time_p50_hours,
        quantile_cont(cycle_time_hours, 0.85) as cycle_time_p85_hours,
        quantile_cont(coding_time_hours, 0.5) as coding_time_p50_hours,
        quantile_cont(pickup_time_hours, 0.5) as pickup_time_p50_hours,
        quantile_cont(review_time_hours, 0.5) as review_time_p50_hours,
        quantile_cont(deploy_time_hours, 0.5) as deploy_time_p50_hours
    from pull_requests
    group by team_id, week_start
),
flagged as (
    select *, contributor_count < {k} as is_suppressed from cells
)
select
    flagged.team_id,
    teams.team_name,
    flagged.week_start,
    {values}
    flagged.contributor_count,
    flagged.is_suppressed
from flagged
inner join marts.dim_teams as teams
    on flagged.team_id = teams.team_id
order by flagged.team_id, flagged.week_start
"""

ENG_PR_FLOW_MEASURES = (
    "pr_count",
    "prs_with_review_data",
    "prs_measured_to_merge",
    "cycle_time_p50_hours",
    "cycle_time_p85_hours",
    "coding_time_p50_hours",
    "pickup_time_p50_hours",
    "review_time_p50_hours",
    "deploy_time_p50_hours",
)

# Cycle time by PR size over the 13 weeks ending with the latest merge week.
# If any size bucket of a team is suppressed, the PR counts of all its buckets
# stay empty: the team's weekly PR counts minus the others would give the
# suppressed bucket away (docs/privacy.md#differencing).
ENG_PR_SIZE_SQL = """
with pull_requests as (
    select
        prs.team_id,
        prs.size_bucket,
        prs.author_person_id,
        prs.cycle_time_hours
    from marts.fct_pull_requests as prs
    where prs.merged_at is not null
        and prs.team_id is not null
        and prs.author_type = 'person'
        and prs.size_bucket is not null
        and prs.merged_at >= (
            select max(date_trunc('week', merged_at)) - interval 12 week
            from marts.fct_pull_requests
        )
),
cells as (
    select
        team_id,
        size_bucket,
        count(*) as pr_count,
        count(distinct author_person_id) as contributor_count,
        quantile_cont(cycle_time_hours, 0.5) as cycle_time_p50_hours,
        quantile_cont(cycle_time_hours, 0.85) as cycle_time_p85_hours
    from pull_requests
    group by team_id, size_bucket
),
flagged as (
    select
        *,
        contributor_count < {k} as is_suppressed,
        bool_or(contributor_count < {k}) over (partition by team_id) as team_has_suppressed
    from cells
)
select
    flagged.team_id,
    teams.team_name,
    flagged.size_bucket,
    case flagged.size_bucket
        when 'XS' then 1 when 'S' then 2 when 'M' then 3 when 'L' then 4 else 5
    end as size_order,
    case
        flagged.size_bucket
        when 'XS' then 'XS (<10 lines)'
        when 'S' then 'S (10-99)'
        when 'M' then 'M (100-399)'
        when 'L' then 'L (400-999)'
        else 'XL (1000+)'
    end as size_label,
    case when not flagged.team_has_suppressed then flagged.pr_count end as pr_count,
    flagged.contributor_count,
    case when not flagged.is_suppressed then flagged.cycle_time_p50_hours end
        as cycle_time_p50_hours,
    case when not flagged.is_suppressed then flagged.cycle_time_p85_hours end
        as cycle_time_p85_hours,
    flagged.is_suppressed
from flagged
inner join marts.dim_teams as teams
    on flagged.team_id = teams.team_id
order by flagged.team_id, size_order
"""

# DORA over rolling windows, as the mart publishes it (already suppressed).
ENG_DORA_SQL = """
select
    dora.team_id,
    teams.team_name,
    dora.week_start,
    dora.window_weeks,
    dora.deployment_count,
    dora.incident_count,
    dora.failed_deployment_count,
    dora.deployment_days_per_week_p50,
    dora.deployments_per_week_p50,
    dora.deployment_days_per_month,
    dora.lead_time_p50_hours,
    dora.lead_time_p85_hours,
    dora.change_failure_rate,
    dora.deployment_rework_rate,
    dora.failed_deployment_recovery_p50_hours,
    dora.time_to_restore_p50_hours,
    dora.deployment_frequency_level,
    dora.lead_time_for_changes_level,
    dora.change_failure_rate_level,
    dora.failed_deployment_recovery_time_level,
    dora.contributor_count,
    dora.is_suppressed
from marts.fct_dora_team_rolling as dora
inner join marts.dim_teams as teams
    on dora.team_id = teams.team_id
order by dora.team_id, dora.window_weeks, dora.week_start
"""

# Each DORA metric's level over the latest 13 weeks and the next level's
# cut-off (seed dora_performance_levels): what would move it.
ENG_DORA_NEXT_SQL = """
with latest as (
    select dora.*
    from marts.fct_dora_team_rolling as dora
    where dora.window_weeks = 13
        and dora.week_start = (select max(week_start) from marts.fct_dora_team_rolling)
),
metrics as (
    select team_id, is_suppressed, 1 as metric_order, 'deployment_frequency' as metric,
        'Deployment frequency' as metric_label, deployment_frequency_level as performance_level
    from latest
    union all
    select team_id, is_suppressed, 2, 'lead_time_for_changes', 'Lead time for changes',
        lead_time_for_changes_level
    from latest
    union all
    select team_id, is_suppressed, 3, 'change_failure_rate', 'Change failure rate',
        change_failure_rate_level
    from latest
    union all
    select team_id, is_suppressed, 4, 'failed_deployment_recovery_time',
        'Failed deployment recovery time', failed_deployment_recovery_time_level
    from latest
),
measures as (
    select team_id, 'deployment_days_per_week_p50' as measure,
        deployment_days_per_week_p50 as measure_value from latest
    union all
    select team_id, 'deployment_days_per_month', deployment_days_per_month from latest
    union all
    select team_id, 'lead_time_p50_hours', lead_time_p50_hours from latest
    union all
    select team_id, 'change_failure_rate', change_failure_rate from latest
    union all
    select team_id, 'failed_deployment_recovery_p50_hours',
        failed_deployment_recovery_p50_hours from latest
),
current_level as (
    select
        metrics.*,
        levels.level_order
    from metrics
    left join seeds.dora_performance_levels as levels
        on metrics.metric = levels.metric
            and metrics.performance_level = levels.performance_level
),
with_next as (
    select
        current_level.*,
        next_level.performance_level as next_level,
        next_level.measure as next_measure,
        next_level.comparison as next_comparison,
        next_level.threshold as next_threshold,
        measures.measure_value as next_measure_value
    from current_level
    left join seeds.dora_performance_levels as next_level
        on current_level.metric = next_level.metric
            and next_level.level_order = current_level.level_order - 1
    left join measures
        on current_level.team_id = measures.team_id
            and next_level.measure = measures.measure
),
texts as (
    select
        *,
        case next_measure
            when 'deployment_days_per_week_p50' then printf('%.1f deployment days a week', next_measure_value)
            when 'deployment_days_per_month' then printf('%.1f deployment days a month', next_measure_value)
            when 'change_failure_rate' then printf('%.1f%%', next_measure_value * 100)
            else printf('%.1f h', next_measure_value)
        end as now_text,
        case next_measure
            when 'deployment_days_per_week_p50' then printf('%g deployment days a week (median week)', next_threshold)
            when 'deployment_days_per_month' then printf('%g deployment days a month', next_threshold)
            when 'change_failure_rate' then printf('%g%% of deployments', next_threshold * 100)
            else printf('%g h (median)', next_threshold)
        end as threshold_text,
        case next_comparison
            when 'gte' then 'at least'
            when 'lte' then 'at most'
            when 'lt' then 'under'
        end as comparison_text
    from with_next
)
select
    texts.team_id,
    teams.team_name,
    texts.metric_order,
    texts.metric,
    texts.metric_label,
    case when texts.is_suppressed then 'suppressed' else texts.performance_level end
        as performance_level,
    case when not texts.is_suppressed then texts.next_level end as next_level,
    case
        when texts.is_suppressed then 'suppressed: fewer than {k} people behind it'
        when texts.performance_level = 'no data' then 'no production deployments in the window'
        when texts.performance_level = 'elite' then 'already at the best level: keep it there'
        else texts.next_level || ' needs ' || texts.comparison_text || ' '
            || texts.threshold_text || '; now ' || texts.now_text
    end as what_would_move_it,
    texts.is_suppressed
from texts
inner join marts.dim_teams as teams
    on texts.team_id = teams.team_id
order by texts.team_id, texts.metric_order
"""

# Deployments that caused a failure, by reason, over the latest 13 weeks
# (the same window as the DORA levels, suppressed with it).
ENG_DEPLOY_FAILURES_SQL = """
with latest as (
    select team_id, week_start, is_suppressed
    from marts.fct_dora_team_rolling
    where window_weeks = 13
        and week_start = (select max(week_start) from marts.fct_dora_team_rolling)
),
reasons as (
    select 'incident' as failure_reason, 1 as reason_order,
        'an incident was attributed to it' as reason_text
    union all
    select 'rollback', 2, 'it was rolled back'
    union all
    select 'revert', 3, 'a revert of one of its changes was deployed'
    union all
    select 'hotfix', 4, 'the next deployment shipped a hotfix'
),
failed as (
    select deployments.team_id, deployments.failure_reason, count(*) as deployments
    from marts.fct_deployments as deployments
    inner join latest
        on deployments.team_id = latest.team_id
    where deployments.is_live
        and deployments.has_caused_failure
        and deployments.finished_at >= latest.week_start - interval 12 week
        and deployments.finished_at < latest.week_start + interval 1 week
    group by all
)
select
    latest.team_id,
    teams.team_name,
    reasons.failure_reason,
    reasons.reason_order,
    reasons.reason_text,
    case when not latest.is_suppressed then coalesce(failed.deployments, 0) end as deployments,
    latest.is_suppressed
from latest
cross join reasons
inner join marts.dim_teams as teams
    on latest.team_id = teams.team_id
left join failed
    on latest.team_id = failed.team_id and reasons.failure_reason = failed.failure_reason
order by latest.team_id, reasons.reason_order
"""

# Which sources back the engineering figures: per team and for all PRs
# ('all'). From git alone there is no PR-opened time and no review data, so
# the page says so instead of drawing empty pickup and review charts.
ENG_SOURCES_SQL = """
with pull_requests as (
    select
        coalesce(prs.team_id, '') as team_id,
        prs.source_system,
        prs.has_review_data
    from marts.fct_pull_requests as prs
    where prs.author_type <> 'bot'
),
scopes as (
    select team_id as scope, source_system, has_review_data
    from pull_requests
    where team_id <> ''
    union all
    select 'all', source_system, has_review_data from pull_requests
)
select
    scopes.scope,
    coalesce(teams.team_name, 'All teams') as team_name,
    string_agg(distinct scopes.source_system, ', ' order by scopes.source_system)
        as source_systems,
    bool_or(scopes.has_review_data) as has_review_data,
    bool_and(scopes.source_system = 'git') as is_git_only,
    bool_or(scopes.source_system = 'git') and bool_or(scopes.source_system <> 'git')
        as is_partly_git
from scopes
left join marts.dim_teams as teams
    on scopes.scope = teams.team_id
group by scopes.scope, teams.team_name
order by scopes.scope = 'all' desc, scopes.scope
"""


@dataclass
class ExportResult:
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _freshness_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    """Last load per source: max `_outcomes_loaded_at` over each raw_<tool> schema."""
    tables = con.execute(
        "select table_schema, table_name from information_schema.columns "
        "where column_name = '_outcomes_loaded_at' and table_schema like 'raw\\_%' escape '\\' "
        "and table_schema not like '%\\_staging' escape '\\' "
        "order by all"
    ).fetchall()
    if not tables:
        return None
    parts = [
        f"select '{schema.removeprefix('raw_')}' as source_system, "
        f"max(_outcomes_loaded_at) as last_loaded_at, count(*) as row_count "
        f'from "{schema}"."{table}"'
        for schema, table in tables
    ]
    return (
        "select source_system, max(last_loaded_at) as last_loaded_at, "
        "sum(row_count) as rows_loaded, count(*) as tables_loaded from ("
        + " union all ".join(parts)
        + ") group by source_system order by source_system"
    )


def _min_group_size(con: duckdb.DuckDBPyConnection, warehouse: Path) -> int:
    """The k the marts were built with: the dbt run's `min_group_size` var, never
    below 5, and above every contributor count the marts themselves suppressed."""
    from outcomes.build import target_path_for
    from outcomes.privacy.k_anonymity import MIN_GROUP_SIZE

    k = MIN_GROUP_SIZE
    run_results = target_path_for(warehouse) / "run_results.json"
    if run_results.exists():
        run_vars = json.loads(run_results.read_text()).get("args", {}).get("vars") or {}
        if isinstance(run_vars, str):  # older dbt writes the --vars text
            run_vars = json.loads(run_vars or "{}")
        k = max(k, int(run_vars.get("min_group_size", k)))
    (largest_suppressed,) = con.execute(
        "select max(contributor_count) from marts.fct_team_kpis_weekly where is_suppressed"
    ).fetchone()
    return max(k, (largest_suppressed or 0) + 1)


def engineering_exports(k: int) -> dict[str, str]:
    """The engineering page's exports (name -> SQL), suppressed below k people."""
    values = "".join(
        f"case when not flagged.is_suppressed then flagged.{m} end as {m},\n    "
        for m in ENG_PR_FLOW_MEASURES
    )
    sqls = {
        "eng_pr_flow_weekly": ENG_PR_FLOW_WEEKLY_SQL.replace("{values}", values),
        "eng_pr_size": ENG_PR_SIZE_SQL,
        "eng_dora": ENG_DORA_SQL,
        "eng_dora_next": ENG_DORA_NEXT_SQL,
        "eng_deploy_failures": ENG_DEPLOY_FAILURES_SQL,
        "eng_sources": ENG_SOURCES_SQL,
    }
    return {name: sql.replace("{k}", str(int(k))) for name, sql in sqls.items()}


def transparency_partial(manifest: dict) -> str:
    """The transparency page's body, from `outcomes.privacy.transparency`.

    The text is rendered by that module at every export, from the collection
    policies and the models' metadata, so the page cannot drift from them. Two
    changes make it fit an Evidence page: the title moves to the page's front
    matter (the first `# ` line is dropped), and outside code spans the
    characters Svelte would read as markup (`{`, `}`, `<`) become entities.
    """
    from outcomes.privacy.transparency import render_transparency

    lines = render_transparency(manifest).splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    escaped = []
    for line in lines:
        parts = line.split("`")
        for i in range(0, len(parts), 2):  # even parts are outside code spans
            parts[i] = parts[i].replace("{", "&#123;").replace("}", "&#125;").replace("<", "&lt;")
        escaped.append("`".join(parts))
    return "\n".join(escaped).strip() + "\n"


def _write_transparency(warehouse: Path, reports_dir: Path) -> Path:
    from outcomes.build import target_path_for

    # The models' metadata is the project's, whichever build parsed it: the
    # CLI's build of this warehouse, or Dagster's (its own target subfolder).
    target = target_path_for(warehouse)
    candidates = [target / "manifest.json", target / "dagster" / "manifest.json"]
    manifest = next((path for path in candidates if path.exists()), None)
    if manifest is None:
        raise OutcomesError(
            f"no dbt manifest at {candidates[0]}: build the warehouse first "
            "(the transparency page is generated from it)"
        )
    out = reports_dir / "partials" / "transparency.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(transparency_partial(json.loads(manifest.read_text())))
    return out


def _copy_csv(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> int:
    tmp = target.with_suffix(".tmp.csv")
    con.execute(
        f"copy ({sql}) to '{tmp.as_posix()}' "
        "(header, delimiter ',', dateformat '%Y-%m-%d', "
        "timestampformat '%Y-%m-%d %H:%M:%S')"
    )
    os.replace(tmp, target)
    return int(con.execute(f"select count(*) from ({sql})").fetchone()[0])


def export_csv(
    warehouse: Path, reports_dir: Path = REPORTS_DIR, min_group_size: int | None = None
) -> ExportResult:
    """Write the page data (aggregated, team-level CSV) into reports/static/data/,
    and the transparency page's text into reports/partials/.

    `min_group_size` (k) defaults to the k the marts were built with (never below 5).
    """
    start = time.perf_counter()
    folder = reports_dir / "static" / DATA_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    result = ExportResult(folder)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        exports = {
            "team_kpis_weekly": TEAM_KPIS_SQL,
            "teams": TEAMS_SQL,
            "kpi_catalog": KPI_CATALOG_SQL,
            "meeting_series_by_team": MEETINGS_SQL,
        }
        k = max(min_group_size or 0, _min_group_size(con, warehouse))
        exports.update(engineering_exports(k))
        if _relation_exists(con, "quarantine", "records"):
            exports["quarantine_by_reason"] = QUARANTINE_SQL
        else:
            exports["quarantine_by_reason"] = (
                "select null::varchar as source_system, null::varchar as table_name, "
                "null::varchar as reason, 0::bigint as records where false"
            )
        freshness = _freshness_sql(con) or (
            "select null::varchar as source_system, null::timestamp as last_loaded_at, "
            "0::bigint as rows_loaded, 0::bigint as tables_loaded where false"
        )
        exports["source_freshness"] = freshness
        for name, sql in exports.items():
            result.rows[name] = _copy_csv(con, sql, folder / f"{name}.csv")
        built_at = con.execute("select max(week_start) from marts.fct_team_kpis_weekly")
        latest_week = built_at.fetchone()[0]
    finally:
        con.close()
    _write_transparency(warehouse, reports_dir)
    (folder / "export.json").write_text(
        json.dumps(
            {"rows": result.rows, "latest_week": str(latest_week)},
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
    result.seconds = time.perf_counter() - start
    return result


def _write_empty_manifest(reports_dir: Path) -> None:
    """Evidence's browser runtime holds every query until its data manifest has
    registered at least one source schema; with no Evidence sources none is
    written, and an empty `renderedFiles` leaves queries waiting until they time
    out ("Timeout while initializing database"). One source schema with no
    files releases them without loading any parquet (or extension)."""
    manifest = reports_dir / ".evidence" / "template" / "static" / "data" / "manifest.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({"renderedFiles": {"outcomes": []}}) + "\n")


def build_site(warehouse: Path, reports_dir: Path = REPORTS_DIR) -> float:
    """Export the CSVs and build the static site into reports/build/. Returns seconds."""
    npm = shutil.which("npm")
    if npm is None:
        raise OutcomesError("npm is not on PATH: install Node 20 to build the report site")
    if not (reports_dir / "node_modules").exists():
        raise OutcomesError(f"run `npm install` in {reports_dir} first (uses the committed lock)")
    start = time.perf_counter()
    export_csv(warehouse, reports_dir)
    _write_empty_manifest(reports_dir)
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "NODE_OPTIONS": os.environ.get("NODE_OPTIONS", "--max-old-space-size=4096"),
    }
    proc = subprocess.run([npm, "run", "build"], cwd=reports_dir, env=env, check=False)
    if proc.returncode != 0:
        raise OutcomesError(f"the report site build failed (npm run build in {reports_dir})")
    return time.perf_counter() - start


def serve(build_dir: Path = REPORTS_DIR / "build", port: int = 3000) -> None:
    """Serve the built site on 127.0.0.1 only (`/teams/x` -> `teams/x.html`)."""
    import functools
    import http.server

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map: ClassVar[dict[str, str]] = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".wasm": "application/wasm",
            ".csv": "text/csv",
            ".js": "text/javascript",
        }

        def translate_path(self, path: str) -> str:
            local = Path(super().translate_path(path))
            if not local.exists() and local.with_suffix(".html").is_file():
                return str(local.with_suffix(".html"))
            return str(local)

    handler = functools.partial(Handler, directory=str(build_dir))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"report site on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """`python -m outcomes.reports export|build|serve [warehouse]`."""
    import argparse

    from outcomes.config import warehouse_path

    parser = argparse.ArgumentParser(prog="python -m outcomes.reports")
    parser.add_argument("command", choices=["export", "build", "serve"])
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    warehouse = args.warehouse or warehouse_path()
    if args.command == "export":
        result = export_csv(warehouse)
        print(f"exported {result.rows} to {result.folder} in {result.seconds:.1f} s")
    elif args.command == "build":
        try:
            seconds = build_site(warehouse)
        except OutcomesError as exc:
            raise SystemExit(f"error: {exc}") from exc
        print(f"report site built in {seconds:.0f} s: {REPORTS_DIR / 'build'}")
    else:
        serve(port=args.port)


if __name__ == "__main__":
    main()
