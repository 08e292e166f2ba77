"""`outcomes webhooks serve` (docs/webhooks.md)."""

from __future__ import annotations

import click

from outcomes.run_lock import clear_errors


@click.group()
def webhooks() -> None:
    """Receive the tools' pushes (GitHub, Jira, Zendesk) and land them at once."""


@webhooks.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8787, show_default=True, type=int, help="Port to listen on.")
@clear_errors
def serve(host: str, port: int) -> None:
    """Listen for signed webhook deliveries; each lands in the warehouse within seconds."""
    from outcomes.config import PROJECT_DIR, warehouse_path
    from outcomes.privacy.run_start import before_load
    from outcomes.privacy.salt import resolve_salt
    from outcomes.run_lock import run_lock
    from outcomes.warehouse import ensure_warehouse
    from outcomes.webhooks import Receiver, configured_secrets

    warehouse = warehouse_path()
    salt = resolve_salt(PROJECT_DIR)
    secrets = configured_secrets()
    with run_lock(warehouse, "outcomes webhooks serve"):
        ensure_warehouse(warehouse)
        before_load(warehouse, salt)  # a foreign salt is refused before anything lands
    receiver = Receiver(warehouse, salt, secrets, host=host, port=port).start()
    paths = ", ".join(f"{receiver.url}/webhooks/{tool}" for tool in sorted(secrets))
    click.echo(f"receiving on {paths} (Ctrl-C stops)")
    try:
        receiver._thread.join()
    except KeyboardInterrupt:
        click.echo("stopping: landing what was received")
    finally:
        receiver.stop()
