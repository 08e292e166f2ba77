"""The report site's data: CSV exports of the published marts, and the site build.

The Evidence site in `reports/` reads CSV files from its `static/` folder with
DuckDB's built-in CSV reader (see STACK_NOTES.md, "Evidence"): the parquet
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


def _copy_csv(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> int:
    tmp = target.with_suffix(".tmp.csv")
    con.execute(
        f"copy ({sql}) to '{tmp.as_posix()}' "
        "(header, delimiter ',', dateformat '%Y-%m-%d', "
        "timestampformat '%Y-%m-%d %H:%M:%S')"
    )
    os.replace(tmp, target)
    return int(con.execute(f"select count(*) from ({sql})").fetchone()[0])


def export_csv(warehouse: Path, reports_dir: Path = REPORTS_DIR) -> ExportResult:
    """Write the page data (aggregated, team-level CSV) into reports/static/data/."""
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
