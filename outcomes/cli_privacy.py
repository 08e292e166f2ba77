"""`outcomes privacy ...` and `outcomes me`: the person's rights and the audit trail.

outcomes privacy export --email E [--out FILE]   everything held about a person (JSON)
outcomes privacy erase --email E                 delete a person's rows, rebuild
outcomes privacy verify-audit                    check the audit log's keyed hash chain
outcomes privacy rotate-salt --new-salt-env VAR  re-pseudonymize everything under a new salt
outcomes privacy retention                       delete raw rows past their window
outcomes privacy load-opt-outs                   load the hashed opt-out list
outcomes privacy transparency --out FILE         the transparency page (markdown)
outcomes me --email E --out PATH [--as-of T] [--wellbeing [--break-nudge]]
                                                 a person's own today view, private

Every command writes one entry to the audit log beside the warehouse,
naming people only by pseudonym.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from outcomes.clock import utc_time
from outcomes.config import check_min_group_size, warehouse_path
from outcomes.errors import OutcomesError
from outcomes.run_lock import clear_errors, hold_for_command

_WAREHOUSE = click.option(
    "--warehouse",
    "warehouse_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Warehouse file (default: $OUTCOMES_WAREHOUSE, else warehouse/outcomes.duckdb).",
)


def _fail(exc: OutcomesError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


def _warehouse_file(warehouse_file: Path | None) -> Path:
    """--warehouse wins over $OUTCOMES_WAREHOUSE (unlike outcomes.yml's setting)."""
    return warehouse_file.resolve() if warehouse_file else warehouse_path()


def _warehouse(warehouse_file: Path | None) -> Path:
    path = _warehouse_file(warehouse_file)
    if not path.exists():
        raise OutcomesError(f"no warehouse at {path} (run `outcomes demo` or `outcomes run`)")
    return path


def _configured_salt(warehouse: Path) -> bytes:
    from outcomes.privacy.salt import configured_salt

    return configured_salt(warehouse)


def _salt(warehouse: Path) -> bytes:
    """The configured salt (for the demo warehouse, the salt kept beside it),
    refused when it is not the warehouse's (its privacy.salt_fingerprint)."""
    from outcomes.privacy.salt import check_salt

    salt = _configured_salt(warehouse)
    check_salt(warehouse, salt, record=False)
    return salt


@click.group()
def privacy() -> None:
    """The person's rights (export, erase), retention, opt-outs and the audit log."""


@privacy.command()
@click.option("--email", required=True, help="The person's roster email.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the JSON here (default: standard output).",
)
@_WAREHOUSE
@clear_errors
def export(email: str, out: Path | None, warehouse_file: Path | None) -> None:
    """Everything held about a person, as JSON (GDPR Art. 15 and 20)."""
    from outcomes.privacy.rights import export_person

    try:
        warehouse = _warehouse(warehouse_file)
        with hold_for_command(warehouse):  # it writes an audit entry; never mid-run
            data = export_person(warehouse, email, _salt(warehouse))
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if out is None:
            click.echo(text, nl=False)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text)
            out.chmod(0o600)
            rows = sum(len(r) for r in data["tables"].values())
            click.echo(f"wrote {rows:,} rows from {len(data['tables'])} tables to {out}")
    except OutcomesError as exc:
        _fail(exc)


@privacy.command()
@click.option("--email", required=True, help="The person's roster email.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--min-group-size", type=int, default=None, help="k for the rebuild (5 or more).")
@_WAREHOUSE
@clear_errors
def erase(email: str, yes: bool, min_group_size: int | None, warehouse_file: Path | None) -> None:
    """Delete a person's rows from raw, identity and quarantine; rebuild (Art. 17)."""
    from outcomes.privacy.rights import erase_person

    try:
        if min_group_size is not None:
            check_min_group_size(min_group_size, "--min-group-size")
        warehouse = _warehouse(warehouse_file)
        if not yes:
            click.confirm(f"Erase everything about {email} from {warehouse}?", abort=True)
        with hold_for_command(warehouse):
            result = erase_person(warehouse, email, _salt(warehouse), min_group_size=min_group_size)
        click.echo(
            f"erased {sum(result['deleted'].values()):,} rows from "
            f"{len(result['deleted'])} tables (person {result['person']}); models rebuilt"
        )
    except OutcomesError as exc:
        _fail(exc)


@privacy.command(name="verify-audit")
@_WAREHOUSE
def verify_audit(warehouse_file: Path | None) -> None:
    """Check the audit log: exit 1 naming every edited, deleted or cut-off entry.

    The log is keyed by the pseudonym salt, which must be configured. What a
    crash leaves (a torn last line, a head one entry behind) is reported as a
    note: the next privacy command repairs it."""
    from outcomes.privacy.people import audit_log_for
    from outcomes.privacy.salt import check_salt

    warehouse = _warehouse_file(warehouse_file)
    try:
        salt = _configured_salt(warehouse)
        if warehouse.exists():
            check_salt(warehouse, salt, record=False)
    except OutcomesError as exc:
        _fail(OutcomesError(f"verify-audit checks the log's keys with the pseudonym salt: {exc}"))
    log = audit_log_for(warehouse, salt)
    result = log.check()
    for note in result.notes:
        click.echo(f"audit log {log.path}: note: {note}")
    if result.problems:
        for problem in result.problems:
            click.echo(f"audit log {log.path}: {problem}", err=True)
        sys.exit(1)
    click.echo(f"audit log {log.path}: {result.entries} entries, chain intact (keyed)")


@privacy.command(name="rotate-salt")
@click.option(
    "--new-salt-env",
    required=True,
    metavar="VAR",
    help="Name of the environment variable that holds the new salt (never the salt itself).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path("outcomes.yml"),
    show_default=True,
    help="The sources to reload (for the demo warehouse: its exports beside it).",
)
@click.option(
    "--drop-unmatched-erasures",
    is_flag=True,
    help="Rotate even when erasure tokens match no record of the exports (they are lost).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_WAREHOUSE
@clear_errors
def rotate_salt_command(
    new_salt_env: str,
    config_path: Path,
    drop_unmatched_erasures: bool,
    yes: bool,
    warehouse_file: Path | None,
) -> None:
    """Re-pseudonymize everything under a new salt, erasures included.

    With the current salt still configured: reloads every configured source
    under the new salt, from its exports or, for an API source, by a full pull
    from its start_date (erasures carried over, new cursors), re-signs the
    audit log, and deletes the old warehouse; undone on any failure."""
    import os

    from outcomes.config import load_config
    from outcomes.privacy.rotation import rotate_salt
    from outcomes.privacy.salt import SALT_ENV
    from outcomes.runner import demo_config

    try:
        warehouse = _warehouse(warehouse_file)
        new_salt = os.environ.get(new_salt_env, "").strip()
        if not new_salt:
            raise OutcomesError(f"${new_salt_env} is not set: it must hold the new salt")
        with hold_for_command(warehouse):
            old_salt = _salt(warehouse)
            demo_exports = warehouse.parent / f"{warehouse.stem}_demo_exports"
            if config_path.exists():
                config = load_config(config_path)
                if config.warehouse.resolve() != warehouse.resolve():
                    raise OutcomesError(
                        f"{config_path} loads {config.warehouse}, not {warehouse}: rotate the "
                        "warehouse its config loads"
                    )
            elif demo_exports.exists():
                config = demo_config(demo_exports, warehouse)
            else:
                raise OutcomesError(
                    f"config file {str(config_path)!r} not found: a rotation reloads the sources "
                    "it configures (give --config)"
                )
            if not yes:
                click.confirm(
                    f"Reload every source of {warehouse} under the new salt (API sources: "
                    "pulled in full from their start_date) and delete the old warehouse?",
                    abort=True,
                )
            result = rotate_salt(config, old_salt, new_salt.encode(), drop_unmatched_erasures)
            demo_salt = warehouse.parent / f"{warehouse.stem}.salt"
            if demo_salt.exists() and not os.environ.get(SALT_ENV):
                demo_salt.write_text(new_salt + "\n")  # the demo keeps its salt beside it
                demo_salt.chmod(0o600)
                where = f"the new salt is kept in {demo_salt}"
            else:
                where = (
                    f"configure the new salt now ({SALT_ENV} or .dlt/secrets.toml): the old one "
                    "no longer opens this warehouse"
                )
            click.echo(
                f"salt rotated: every source reloaded under the new salt, "
                f"{result['erasures_carried']} erasure tokens carried, "
                f"{result['erasures_dropped']} dropped, {result['audit_entries_resigned']} audit "
                f"entries re-signed; {where}"
            )
    except OutcomesError as exc:
        _fail(exc)


@privacy.command()
@click.option(
    "--now",
    default=None,
    help="Reference time, ISO 8601 (default: the current UTC time).",
)
@click.option("--rebuild", is_flag=True, help="Rebuild the models afterwards.")
@_WAREHOUSE
@clear_errors
def retention(now: str | None, rebuild: bool, warehouse_file: Path | None) -> None:
    """Delete raw rows older than each source's retention window."""
    from outcomes.privacy.retention import apply_retention

    try:
        warehouse = _warehouse(warehouse_file)
        when = dt.datetime.fromisoformat(now) if now else dt.datetime.now(dt.UTC)
        with hold_for_command(warehouse):
            deleted = apply_retention(warehouse, when, rebuild=rebuild, salt=_salt(warehouse))
        click.echo(f"deleted {sum(deleted.values()):,} expired rows")
        for table, count in sorted(deleted.items()):
            click.echo(f"  {table}: {count:,}")
    except (OutcomesError, ValueError) as exc:
        _fail(OutcomesError(str(exc)))


@privacy.command(name="load-opt-outs")
@click.option(
    "--file",
    "opt_out_file",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV with an `email` column (default: $OUTCOMES_OPT_OUT_FILE or privacy/opt_out.csv).",
)
@_WAREHOUSE
@clear_errors
def load_opt_outs_command(opt_out_file: Path | None, warehouse_file: Path | None) -> None:
    """Load the opt-out list, hashed, into privacy.opt_outs."""
    import os

    from outcomes.privacy.opt_out import DEFAULT_OPT_OUT_FILE, OPT_OUT_ENV, load_opt_outs

    try:
        warehouse = _warehouse(warehouse_file)
        path = opt_out_file or Path(os.environ.get(OPT_OUT_ENV) or DEFAULT_OPT_OUT_FILE)
        with hold_for_command(warehouse):
            count = load_opt_outs(warehouse, _salt(warehouse), path)
        click.echo(f"{count} people on the opt-out list ({path})")
    except OutcomesError as exc:
        _fail(exc)


@privacy.command()
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Markdown file to write."
)
@_WAREHOUSE
def transparency(out: Path, warehouse_file: Path | None) -> None:
    """Write the transparency page from the policies and the dbt manifest."""
    from outcomes.build import target_path_for
    from outcomes.privacy.transparency import write_transparency

    try:
        manifest = target_path_for(_warehouse_file(warehouse_file)) / "manifest.json"
        if not manifest.exists():
            raise OutcomesError(f"no dbt manifest at {manifest} (run `outcomes build` first)")
        write_transparency(manifest, out)
        click.echo(f"wrote the transparency page to {out}")
    except OutcomesError as exc:
        _fail(exc)


@click.command()
@click.option("--email", required=True, help="Your roster email.")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Private file to write (markdown); never inside reports/.",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Today, ISO 8601 UTC (default: the data's as-of time, never the wall clock).",
)
@click.option(
    "--wellbeing",
    is_flag=True,
    help="Add your wellbeing signals (after-hours load rising, focus time shrinking).",
)
@click.option(
    "--break-nudge",
    is_flag=True,
    help="With --wellbeing: a line suggesting a break when a signal shows.",
)
@_WAREHOUSE
@clear_errors
def me(
    email: str,
    out: Path,
    as_of: str | None,
    wellbeing: bool,
    break_nudge: bool,
    warehouse_file: Path | None,
) -> None:
    """Your own view, as a private markdown file (never published).

    What waits on you today (reviews requested of you, your items aging,
    your tickets near their SLA), your figures and your own trends against
    your own past, and where your week went. The wellbeing signals appear
    only with --wellbeing and are kept nowhere but the file."""
    from outcomes.privacy.personal import write_personal_view

    try:
        if break_nudge and not wellbeing:
            raise OutcomesError("--break-nudge is part of the wellbeing signals: add --wellbeing")
        when = _as_of(as_of)
        warehouse = _warehouse(warehouse_file)
        with hold_for_command(warehouse):  # it writes an audit entry; never mid-run
            write_personal_view(
                warehouse,
                email,
                _salt(warehouse),
                out,
                as_of=when,
                wellbeing=wellbeing,
                break_nudge=break_nudge,
            )
        click.echo(f"wrote your personal view to {out} (readable by you only)")
    except OutcomesError as exc:
        _fail(exc)


def _as_of(value: str | None) -> dt.datetime | None:
    """--as-of as a naive UTC timestamp (the warehouse's timestamps are UTC)."""
    return None if value is None else utc_time(value, "--as-of")
