"""`outcomes`: the command line.

outcomes demo      generate the demo organisation, load it, build the KPIs
outcomes run       load the sources configured in outcomes.yml and build
outcomes generate  only write the demo organisation's exports
outcomes build     only (re)build the dbt models and tests
outcomes publish-postgres  copy the raw data into Postgres and build the marts there
outcomes metrics   query the KPIs by name: MetricFlow's `mf`, offline (docs/semantic-layer.md)
outcomes nudges    preview / send the nudges of models/nudges/, opt in or out (docs/nudges.md)
outcomes me        your own private view: what waits on you today, your trends (docs/privacy.md)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from outcomes.config import PROJECT_DIR, check_min_group_size, load_config, warehouse_path
from outcomes.demo.org import MIN_PEOPLE, MIN_WEEKS
from outcomes.errors import OutcomesError
from outcomes.run_lock import clear_errors, hold_for_command

# dlt reads `.dlt/config.toml` and `.dlt/secrets.toml` (the API sources'
# credentials) of the project, wherever `outcomes` is started from: the same
# file the pseudonym salt is read from (outcomes.privacy.salt).
os.environ.setdefault("DLT_PROJECT_DIR", str(PROJECT_DIR))

from outcomes.summary import RunSummary, render  # imports dlt: after the setting above


class _AtLeast(click.ParamType):
    """A whole number no smaller than the demo generator's minimum: a smaller
    organisation is a one-line usage error, not the generator's traceback."""

    name = "integer"

    def __init__(self, minimum: int, why: str) -> None:
        self.minimum, self.why = minimum, why

    def convert(self, value, param, ctx) -> int:
        number = click.INT.convert(value, param, ctx)
        if number < self.minimum:
            self.fail(f"{number} is too small: at least {self.minimum} ({self.why})", param, ctx)
        return number


PEOPLE = _AtLeast(MIN_PEOPLE, "each function's teams and the planted 30-person meeting need them")
WEEKS = _AtLeast(MIN_WEEKS, "the demo's planted four-week support overload needs them")


def _fail(exc: OutcomesError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


@click.group()
def main() -> None:
    """Outcome KPIs per team from the tools your teams already use."""


def _register_privacy_commands() -> None:
    from outcomes.cli_privacy import me, privacy

    main.add_command(privacy)
    main.add_command(me)


_register_privacy_commands()


def _register_nudge_commands() -> None:
    from outcomes.nudges.cli import nudges

    main.add_command(nudges)


_register_nudge_commands()


def _register_webhook_commands() -> None:
    from outcomes.cli_webhooks import webhooks

    main.add_command(webhooks)


_register_webhook_commands()


def _generate(out: Path, people: int, weeks: int, seed: int) -> dict[str, int]:
    from outcomes.demo import generate

    result = generate(out, people=people, weeks=weeks, seed=seed)
    return dict(result.files)


@main.command()
@click.option(
    "--people", default=120, show_default=True, type=PEOPLE, help="People in the organisation."
)
@click.option("--weeks", default=26, show_default=True, type=WEEKS, help="Weeks of history.")
@click.option("--seed", default=7, show_default=True, help="Random seed (same seed, same data).")
@click.option("--skip-build", is_flag=True, help="Load only; do not run dbt.")
@click.option("--skip-site", is_flag=True, help="Do not build the report site.")
@click.option(
    "--via-api",
    is_flag=True,
    help="Pull every tool that has an API simulator through it (on 127.0.0.1) "
    "instead of reading its exports.",
)
@clear_errors
def demo(
    people: int, weeks: int, seed: int, skip_build: bool, skip_site: bool, via_api: bool
) -> None:
    """Generate a realistic organisation and run the whole data path on it."""
    from outcomes.privacy.salt import resolve_salt
    from outcomes.runner import demo_config, run

    warehouse = warehouse_path()
    # Held from the first export written (they sit beside the warehouse) to the site.
    with hold_for_command(warehouse):
        exports = warehouse.parent / f"{warehouse.stem}_demo_exports"
        summary = RunSummary()
        start = time.perf_counter()
        summary.generated = _generate(exports, people, weeks, seed)
        summary.stages["generate"] = time.perf_counter() - start
        salt = resolve_salt(PROJECT_DIR, demo_salt_file=warehouse.parent / f"{warehouse.stem}.salt")
        if via_api:
            from outcomes.simulators.demo import demo_via_api

            with demo_via_api(exports, warehouse) as config:
                run(config, salt, summary, skip_build=skip_build)
        else:
            run(demo_config(exports, warehouse), salt, summary, skip_build=skip_build)
        click.echo(render(summary, warehouse))
        _echo_digest(summary.digest)
        if not skip_build and not skip_site:
            from outcomes.reports import build_site

            seconds = build_site(warehouse)
            click.echo(
                f"\nReport site built in {seconds:.0f} s in reports/build: "
                "`make serve` serves it on http://127.0.0.1:3000/"
            )


@main.command(name="run")
@click.option(
    "--config",
    "config_path",
    default="outcomes.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The configuration file.",
)
@click.option(
    "--git",
    "git_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A local git clone (or a folder of clones) to load; repeatable. "
    "Works without a config file.",
)
@click.option("--skip-build", is_flag=True, help="Load only; do not run dbt.")
@click.option(
    "--full-refresh",
    is_flag=True,
    help="API sources: forget their cursors and backfill from start_date; "
    "export folders: read every file again, changed or not.",
)
@clear_errors
def run_command(
    config_path: Path, git_paths: tuple[Path, ...], skip_build: bool, full_refresh: bool
) -> None:
    """Load the sources configured in outcomes.yml (and --git clones) and build the KPIs."""
    from outcomes.config import Config, source_config
    from outcomes.privacy.salt import resolve_salt
    from outcomes.runner import run

    if git_paths and not config_path.exists():
        config = Config(warehouse=warehouse_path(), sources=())
    else:
        config = load_config(config_path)
    clones = tuple(
        source_config("git", {"path": str(p)}, Path.cwd(), f"--git {p}") for p in git_paths
    )
    sources = config.sources + clones
    if full_refresh:
        sources = tuple(replace(s, full_refresh=True) for s in sources)
    config = Config(config.warehouse, sources, config.min_group_size, config.config_path)
    salt = resolve_salt(PROJECT_DIR)
    with hold_for_command(config.warehouse):
        summary = run(config, salt, skip_build=skip_build)
        click.echo(render(summary, config.warehouse))
        _echo_digest(summary.digest)


@main.command()
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder to write.")
@click.option("--people", default=120, show_default=True, type=PEOPLE)
@click.option("--weeks", default=26, show_default=True, type=WEEKS)
@click.option("--seed", default=7, show_default=True)
@clear_errors
def generate(out: Path, people: int, weeks: int, seed: int) -> None:
    """Write the demo organisation's raw exports (JSONL per tool) to a folder."""
    start = time.perf_counter()
    files = _generate(out, people, weeks, seed)
    click.echo(
        f"wrote {sum(files.values()):,} records in {len(files)} files to {out} "
        f"in {time.perf_counter() - start:.1f} s"
    )


@main.command(name="build")
@click.option(
    "--min-group-size",
    type=int,
    default=None,
    help="Privacy threshold k for suppression (5 or more).",
)
@clear_errors
def build_command(min_group_size: int | None) -> None:
    """Rebuild the dbt models and run their tests on the current warehouse."""
    from outcomes.build import build

    if min_group_size is not None:
        check_min_group_size(min_group_size, "--min-group-size")
    warehouse = warehouse_path()
    with hold_for_command(warehouse):
        result = build(warehouse, min_group_size)
        from outcomes.digest import write_digest

        files = write_digest(warehouse)
    click.echo(f"dbt build finished in {result.seconds:.1f} s: {result.counts}")
    _echo_digest(files.markdown if files else None)


def _echo_digest(markdown: Path | None) -> None:
    if markdown is not None:
        click.echo(
            f"Weekly digest: {markdown} and {markdown.with_suffix('.html')} "
            "(ready to paste into an email)"
        )


@main.command(name="digest")
@click.option(
    "--week",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Monday of the week (default: the latest digest week).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to write to (default: beside the warehouse).",
)
@clear_errors
def digest_command(week: dt.datetime | None, out: Path | None) -> None:
    """Write the executive weekly digest (Markdown and HTML) of the current warehouse."""
    from outcomes.digest import write_digest

    warehouse = warehouse_path()
    files = write_digest(warehouse, week.date() if week else None, out)
    if files is None:
        raise click.ClickException(
            "no digest for that week: build the models first (`outcomes build`), "
            "and give the Monday of a week with data"
        )
    _echo_digest(files.markdown)


@main.command(
    name="metrics",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("mf_args", nargs=-1, type=click.UNPROCESSED)
def metrics_command(mf_args: tuple[str, ...]) -> None:
    """MetricFlow's `mf` on the current warehouse, e.g. `outcomes metrics query
    --metrics first_reply_time_p85 --group-by team,metric_time__week`."""
    from outcomes.semantic import run_mf

    try:
        code = run_mf(mf_args, warehouse_path())
    except OutcomesError as error:
        raise click.ClickException(str(error)) from error
    sys.exit(code)


@main.command("publish-postgres")
@click.option(
    "--bi-reader-role",
    default=None,
    help="Role granted SELECT on the team-level marts (default outcomes_bi_reader; must exist).",
)
@click.option(
    "--min-group-size",
    type=int,
    default=None,
    help="Privacy threshold k for suppression (5 or more).",
)
@clear_errors
def publish_postgres(bi_reader_role: str | None, min_group_size: int | None) -> None:
    """Copy the warehouse's raw data into Postgres (OUTCOMES_PG_*) and build there."""
    from outcomes.postgres import publish

    if min_group_size is not None:
        check_min_group_size(min_group_size, "--min-group-size")
    dbt_vars = {"bi_reader_role": bi_reader_role} if bi_reader_role else None
    warehouse = warehouse_path()
    with hold_for_command(warehouse):  # it reads the warehouse whole: never mid-run
        copied, build = publish(warehouse, min_group_size, dbt_vars)
    click.echo(
        f"copied {len(copied)} tables ({sum(copied.values()):,} rows) into Postgres; "
        f"dbt build --target postgres finished in {build.seconds:.1f} s: {build.counts}"
    )


@main.group()
def sources() -> None:
    """The sources configured in outcomes.yml."""


@sources.command("check")
@click.option(
    "--config",
    "config_path",
    default="outcomes.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The configuration file.",
)
def sources_check(config_path: Path) -> None:
    """Check every configured source without loading anything.

    An API source: reachable, credentials accepted, scopes sufficient, and
    what the next run would fetch from when. An export folder: which files
    each table reads, and which are missing. Exits 2 when any check failed.
    """
    from outcomes.sources_check import check_sources

    try:
        config = load_config(config_path)
    except OutcomesError as exc:
        _fail(exc)
    failed = False
    for name, ok, lines in check_sources(config):
        failed |= not ok
        click.echo(f"{name}: {'ok' if ok else 'FAILED'}")
        for line in lines:
            click.echo(f"  {line}")
    if failed:
        sys.exit(2)
