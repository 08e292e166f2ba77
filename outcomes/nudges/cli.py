"""`outcomes nudges ...` (docs/nudges.md).

outcomes nudges preview            what would be sent now, and why (writes nothing)
outcomes nudges send               send it: signed, retried, logged
outcomes nudges opt-in --email E   a person asks for direct nudges about their own items
outcomes nudges opt-out --email E  and withdraws
"""

from __future__ import annotations

from pathlib import Path

import click

from outcomes.run_lock import clear_errors, hold_for_command

CONFIG = click.option(
    "--config",
    "config_path",
    default="outcomes.yml",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The configuration file (its `nudges:` section).",
)
NOW = click.option(
    "--now",
    default=None,
    help="The clock, naive UTC 'YYYY-MM-DD hh:mm' (default OUTCOMES_AS_OF_UTC, else now).",
)


def _config(config_path: Path):
    from outcomes.nudges.settings import NudgeConfig, load

    return load(config_path) if config_path.exists() else NudgeConfig()


@click.group()
def nudges() -> None:
    """Nudges from the rules in models/nudges/: preview, send, opt in or out."""


@nudges.command()
@CONFIG
@NOW
@clear_errors
def preview(config_path: Path, now: str | None) -> None:
    """Show what would be sent now and why: sent, held, capped, deduplicated."""
    from outcomes.config import warehouse_path
    from outcomes.nudges.run import clock, decide, render, warehouse_for_nudges
    from outcomes.warehouse import connect

    config = _config(config_path)
    warehouse = warehouse_for_nudges(warehouse_path())
    when = clock(now)
    con = connect(warehouse, read_only=True)
    try:
        decisions = decide(con, config, when)
    finally:
        con.close()
    click.echo(render(decisions, when, config.links))


@nudges.command()
@CONFIG
@NOW
@clear_errors
def send(config_path: Path, now: str | None) -> None:
    """Send the nudges due now to their channels and log every decision."""
    from outcomes.config import warehouse_path
    from outcomes.nudges.run import clock, render, warehouse_for_nudges
    from outcomes.nudges.run import send as send_nudges
    from outcomes.warehouse import connect

    config = _config(config_path)
    warehouse = warehouse_for_nudges(warehouse_path())
    when = clock(now)
    with hold_for_command(warehouse):
        con = connect(warehouse, read_only=False)
        try:
            outcome = send_nudges(con, config, when)
        finally:
            con.close()
    click.echo(render(outcome.decisions, when, config.links))
    click.echo(
        f"{outcome.sent_messages} message(s) sent, {outcome.failed_messages} failed "
        "(the log: nudges.delivery_log)"
    )
    if outcome.failed_messages:
        raise SystemExit(1)


def _opt(email: str, on: bool) -> None:
    import datetime as dt

    from outcomes.config import warehouse_path
    from outcomes.nudges.store import set_opt_in
    from outcomes.privacy.people import audit_log_for, find_person
    from outcomes.privacy.salt import check_salt, configured_salt
    from outcomes.warehouse import connect

    warehouse = warehouse_path()
    salt = configured_salt(warehouse)
    check_salt(warehouse, salt, record=False)
    with hold_for_command(warehouse):
        con = connect(warehouse, read_only=False)
        try:
            person = find_person(con, email, salt)
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
            changed = set_opt_in(con, person.person_key, on, now)
        finally:
            con.close()
        action = "nudges.opt_in" if on else "nudges.opt_out"
        audit_log_for(warehouse, salt).append(action, {"person": person.person_key})
    state = "opted in to" if on else "opted out of"
    already = "" if changed else " (already)"
    click.echo(f"{state} direct nudges about your own work items{already}")


@nudges.command(name="opt-in")
@click.option("--email", required=True, help="Your own roster email.")
@clear_errors
def opt_in(email: str) -> None:
    """Ask for direct nudges about your own items (only yours, only to you)."""
    _opt(email, True)


@nudges.command(name="opt-out")
@click.option("--email", required=True, help="Your own roster email.")
@clear_errors
def opt_out(email: str) -> None:
    """Stop direct nudges; team channels never name you either way."""
    _opt(email, False)
