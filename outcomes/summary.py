"""The short report printed after `outcomes run` / `outcomes demo`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from outcomes.warehouse import connect
from pipelines.common.load import SourceLoad


@dataclass
class RunSummary:
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    loads: list[SourceLoad] = field(default_factory=list)
    generated: dict[str, int] = field(default_factory=dict)
    digest: Path | None = None  # the weekly digest's Markdown file (outcomes.digest)


def erased_rows(load: SourceLoad) -> int:
    """Rows of people on the erasure list that the load dropped (outcomes.privacy.erasures)."""
    return sum(read.erased for read in load.reads)


def _relation_exists(con, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
    )


def warehouse_facts(warehouse: Path) -> dict[str, object]:
    """Numbers read back from the warehouse: what is really there after the run."""
    con = connect(warehouse)
    try:
        facts: dict[str, object] = {}
        if _relation_exists(con, "marts", "fct_work_events"):
            facts["events_by_type"] = con.execute(
                "select event_type, count(*) from marts.fct_work_events group by 1 order by 1"
            ).fetchall()
        if _relation_exists(con, "marts", "fct_team_kpis_weekly"):
            facts["kpis"] = con.execute(
                "select count(distinct kpi_id), count(*), count(*) filter (where is_suppressed) "
                "from marts.fct_team_kpis_weekly"
            ).fetchall()[0]
        if _relation_exists(con, "marts", "dim_teams"):
            facts["teams"] = con.execute("select count(*) from marts.dim_teams").fetchall()[0][0]
        if _relation_exists(con, "raw_roster", "users"):
            facts["roster_people"] = con.execute(
                "select count(*) from raw_roster.users"
            ).fetchall()[0][0]
        if _relation_exists(con, "quarantine", "records"):
            facts["quarantine"] = con.execute(
                "select source_system, table_name, reason, count(*) from quarantine.records "
                "group by all order by all"
            ).fetchall()
        return facts
    finally:
        con.close()


def _why_no_kpis(facts: dict[str, object]) -> str:
    """Why a build published no team KPI: every KPI is a team's, and teams come from the roster."""
    if not facts.get("roster_people"):
        return (
            "because no roster is loaded (raw_roster.users is empty): team KPIs need the "
            "roster's teams and people. What needs no team (deploys per week and lead time "
            "across all repositories) is in reports.rpt_eng_delivery_weekly and on the "
            "report site's Engineering delivery page."
        )
    if not facts.get("teams"):
        return "because the roster names no team (marts.dim_teams is empty)."
    return (
        "because no loaded source holds work by the roster's teams in the weeks measured "
        "(check the sources in outcomes.yml and their exports)."
    )


def render(summary: RunSummary, warehouse: Path) -> str:
    lines = [f"Outcomes warehouse: {warehouse}"]
    if summary.generated:
        total = sum(summary.generated.values())
        lines.append(
            f"\nGenerated demo exports: {total:,} records in {len(summary.generated)} files"
        )
    if summary.loads:
        lines.append(
            "\nLoaded (records read -> rows landed; duplicates merged; quarantined; "
            "erased: people on the erasure list):"
        )
        for load in summary.loads:
            if load.unchanged:
                lines.append(f"  {load.source:<10} unchanged since the last run, not re-read")
                continue
            lines.append(
                f"  {load.source:<10} {load.records_read:>10,} -> {load.rows_landed:>10,}"
                f"   dup {load.duplicates_dropped:>6,}   quarantined {load.quarantined:>4,}"
                f"   erased {erased_rows(load):>4,}   ({load.seconds:.1f} s)"
            )
            if load.requests is not None:
                lines.append(
                    f"    pulled from the API: {len(load.requests.records):,} requests, "
                    f"{load.requests.http_seconds:.1f} s waiting on HTTP"
                )
                lines.extend(f"    ! {note}" for note in load.requests.notes)
            outside = sum(read.outside_window for read in load.reads)
            if outside:
                by_table = ", ".join(
                    f"{r.table.name} {r.outside_window:,}" for r in load.reads if r.outside_window
                )
                lines.append(f"    outside the since/until window, not landed: {by_table}")
            partial = [r.table.name for r in load.reads if r.mode == "partial"]
            if partial:
                lines.append(f"    new lines and files only: {', '.join(partial)}")
            for read in load.reads:
                if not read.files and read.mode != "unchanged":
                    lines.append(f"    ! {read.table.name}: no file matching {read.table.file!r}")
            for file_name, keys in load.new_columns.items():
                lines.append(
                    f"    ! new columns in {file_name} (dropped, not stored): {', '.join(keys)}"
                )
    facts = warehouse_facts(warehouse)
    if facts.get("events_by_type"):
        lines.append("\nEvents in marts.fct_work_events by type:")
        for event_type, count in facts["events_by_type"]:
            lines.append(f"  {event_type:<24} {count:>10,}")
    if facts.get("quarantine"):
        lines.append("\nQuarantined records (quarantine.records):")
        for source, table, reason, count in facts["quarantine"]:
            lines.append(f"  {source}.{table}: {reason} x{count}")
    if facts.get("kpis") and not facts["kpis"][0]:
        lines.append(f"\nKPIs built: none, {_why_no_kpis(facts)}")
    elif facts.get("kpis"):
        kpis, cells, suppressed = facts["kpis"]
        lines.append(
            f"\nKPIs built: {kpis} KPIs, {cells:,} team-week cells, "
            f"{suppressed:,} suppressed (fewer than k contributors)"
        )
    lines.append("\nElapsed per stage:")
    for stage, seconds in summary.stages.items():
        lines.append(f"  {stage:<10} {seconds:7.1f} s")
    lines.append(f"  {'total':<10} {sum(summary.stages.values()):7.1f} s")
    return "\n".join(lines)
