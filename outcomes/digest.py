"""The executive weekly digest as files ready to paste into an email.

Every run that builds the models (`outcomes demo`, `outcomes run`,
`outcomes build`) writes the digest of the latest digest week beside the
warehouse: `<warehouse stem>_digest` with the suffixes .md and .html
(`outcomes_digest` .md and .html in `warehouse/` by default, git-ignored).
`outcomes digest --week YYYY-MM-DD` writes another week's.

What the digest says is computed in dbt (docs/narrative.md#digest):
`reports.rpt_digest_teams` (per team and week: status counts, movers, the
team's note) and `reports.rpt_digest_lines` (the off-track and mover
sentences). This module only lays them out per function: teams off track
first, then the other teams with movers, then the teams with nothing to
report, and every team's note or the words saying it wrote none.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path

from outcomes.warehouse import connect

DIGEST_SUFFIX = "_digest"


@dataclass
class TeamDigest:
    team_id: str
    team_name: str
    off_track_count: int
    mover_count: int
    has_note: bool
    note: str
    off_track: list[str] = field(default_factory=list)
    movers: list[str] = field(default_factory=list)


@dataclass
class Digest:
    week_start: dt.date
    functions: dict[str, list[TeamDigest]]

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def title(self) -> str:
        return f"Weekly digest: week of {_day(self.week_start)}"


@dataclass(frozen=True)
class DigestFiles:
    week_start: dt.date
    markdown: Path
    html: Path


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def digest_paths(warehouse: Path) -> tuple[Path, Path]:
    stem = warehouse.parent / f"{warehouse.stem}{DIGEST_SUFFIX}"
    return stem.with_suffix(".md"), stem.with_suffix(".html")


def _has_digest_tables(con) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'reports' "
        "and table_name in ('rpt_digest_teams', 'rpt_digest_lines')"
    ).fetchall()[0][0]
    return found == 2


def read_digest(warehouse: Path, week: dt.date | None = None) -> Digest | None:
    """The digest of `week` (a Monday; default the latest digest week), or None
    when the warehouse has no digest models or no such week."""
    con = connect(warehouse)
    try:
        if not _has_digest_tables(con):
            return None
        if week is None:
            row = con.execute("select max(week_start) from reports.rpt_digest_teams").fetchone()
            week = row[0] if row else None
            if week is None:
                return None
        teams = con.execute(
            "select function_name, team_id, team_name, off_track_count, mover_count, "
            "has_note, note from reports.rpt_digest_teams where week_start = ? "
            "order by function_name, off_track_count desc, mover_count desc, team_name",
            [week],
        ).fetchall()
        if not teams:
            return None
        lines = con.execute(
            "select team_id, section, line from reports.rpt_digest_lines "
            "where week_start = ? order by team_id, line_position",
            [week],
        ).fetchall()
    finally:
        con.close()
    by_team: dict[str, TeamDigest] = {}
    functions: dict[str, list[TeamDigest]] = {}
    for function_name, team_id, team_name, off_track, movers, has_note, note in teams:
        team = TeamDigest(team_id, team_name, off_track, movers, has_note, note)
        by_team[team_id] = team
        functions.setdefault(function_name or "other", []).append(team)
    for team_id, section, line in lines:
        team = by_team.get(team_id)
        if team is not None:
            (team.off_track if section == "off_track" else team.movers).append(line)
    return Digest(week, functions)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _function_summary(teams: list[TeamDigest]) -> str:
    off = sum(1 for t in teams if t.off_track_count)
    moved = sum(1 for t in teams if t.movers)
    return (
        f"{_plural(len(teams), 'team', 'teams')}: {off} with KPIs off track, {moved} with movers."
    )


INTRO = (
    "Off track: a KPI of the team's set worse than its baseline over the 4 weeks "
    "ending with this week. Movers: at most three KPIs per team whose value this "
    "week left the team's own range of its prior 8 published weeks (outside the "
    "lowest to highest value, and 2.5 robust standard deviations from the median), each with why, "
    "from one level down. What next: the team's own note."
)


def render_markdown(digest: Digest) -> str:
    out = [
        f"# {digest.title}",
        "",
        f"{_day(digest.week_start)} to {_day(digest.week_end)}. {INTRO}",
    ]
    for function_name, teams in digest.functions.items():
        out += ["", f"## {function_name.capitalize()}", "", _function_summary(teams)]
        for team in teams:
            out += ["", f"### {team.team_name}", ""]
            if not team.off_track and not team.movers:
                out.append("- Nothing off track and no KPI left its recent range.")
            out += [f"- **Off track.** {line}" for line in team.off_track]
            out += [f"- **Moved.** {line}" for line in team.movers]
            note = team.note if team.has_note else f"_{team.note}_"
            out.append(f"- **What next.** {note}")
    return "\n".join(out) + "\n"


def render_html(digest: Digest) -> str:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(digest.title)}</title></head>",
        '<body style="font-family: sans-serif; max-width: 46em; line-height: 1.4">',
        f"<h1>{e(digest.title)}</h1>",
        f"<p>{e(_day(digest.week_start))} to {e(_day(digest.week_end))}. {e(INTRO)}</p>",
    ]
    for function_name, teams in digest.functions.items():
        out.append(f"<h2>{e(function_name.capitalize())}</h2>")
        out.append(f"<p>{e(_function_summary(teams))}</p>")
        for team in teams:
            out.append(f"<h3>{e(team.team_name)}</h3><ul>")
            if not team.off_track and not team.movers:
                out.append("<li>Nothing off track and no KPI left its recent range.</li>")
            out += [f"<li><strong>Off track.</strong> {e(line)}</li>" for line in team.off_track]
            out += [f"<li><strong>Moved.</strong> {e(line)}</li>" for line in team.movers]
            note = e(team.note) if team.has_note else f"<em>{e(team.note)}</em>"
            out.append(f"<li><strong>What next.</strong> {note}</li></ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_digest(
    warehouse: Path, week: dt.date | None = None, out_dir: Path | None = None
) -> DigestFiles | None:
    """Write the digest of `week` (default the latest) as Markdown and HTML beside
    the warehouse (or in `out_dir`); None when there is nothing to write."""
    digest = read_digest(warehouse, week)
    if digest is None:
        return None
    markdown, html_path = digest_paths(warehouse)
    if week is not None:  # another week's digest never overwrites the latest
        markdown = markdown.with_name(f"{markdown.stem}_{week.isoformat()}.md")
        html_path = html_path.with_name(f"{html_path.stem}_{week.isoformat()}.html")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        markdown, html_path = out_dir / markdown.name, out_dir / html_path.name
    markdown.write_text(render_markdown(digest), encoding="utf-8")
    html_path.write_text(render_html(digest), encoding="utf-8")
    return DigestFiles(digest.week_start, markdown, html_path)
