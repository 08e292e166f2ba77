"""`outcomes webhooks serve`: receive the tools' pushes, land them within seconds.

    POST /webhooks/github | /webhooks/jira | /webhooks/zendesk

Each delivery is checked against the tool's own signature scheme
(`pipelines/<tool>/webhooks.py`, docs/webhooks.md): a missing or wrong
signature, or a signed time more than 5 minutes old, is answered 401 and
logged; a delivery already landed (same delivery id: a replay or a
redelivery) is answered 200 and lands nothing. An authentic delivery becomes
records in the shape of the tool's export files; they wait in memory (never
on disk) for the lander, which lands every delivery of the last second in
one batch through the source's policy and the usual gate and publish
(`pipelines.common.push`), under the warehouse's run lock. The sender is
answered once its delivery has landed (200) or could not be (503, so the tool
retries), so a 200 means the event is in the warehouse.

Every delivery, whatever its outcome, is one row of `webhooks.deliveries`
(tool, delivery id, event name, outcome, reason, records): no payload, no
person. After each batch the lander writes `<warehouse stem>.webhooks.json`
beside the warehouse, which the Dagster sensor `pushed_changes` watches to
refresh the models downstream of what landed (orchestration/webhooks.py).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

from outcomes.errors import OutcomesError

PUSHING_TOOLS = ("github", "jira", "zendesk")
SCHEMA = "webhooks"
MAX_BODY_BYTES = 5 * 1024 * 1024
BATCH_SECONDS = 1.0
MAX_BATCH = 500
# How long a sender waits for its delivery to land before it is told 503.
LAND_TIMEOUT_SECONDS = 120.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def tool_module(tool: str) -> ModuleType:
    return importlib.import_module(f"pipelines.{tool}.webhooks")


class _Server(ThreadingHTTPServer):
    # The listen backlog: a tool pushing a burst (a bulk edit in Jira, a
    # reassigned queue in Zendesk) opens many connections at once; the
    # default of 5 resets the rest before any is accepted.
    request_queue_size = 1024


def marker_path(warehouse: Path) -> Path:
    """The file the Dagster sensor watches: what landed last, per tool."""
    return warehouse.parent / f"{warehouse.stem}.webhooks.json"


def read_marker(warehouse: Path) -> dict[str, str]:
    try:
        return json.loads(marker_path(warehouse).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_marker(warehouse: Path, landed: dict[str, str]) -> None:
    path = marker_path(warehouse)
    marker = {**read_marker(warehouse), **landed}
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(marker, sort_keys=True))
    os.replace(partial, path)  # atomic: the sensor never reads half a file


@dataclass
class Delivery:
    """One request as the lander sees it: its records, never its payload."""

    tool: str
    delivery_id: str | None
    event: str | None
    outcome: str  # landed | ignored | duplicate | rejected | failed
    reason: str | None = None
    records: dict[str, list[str]] = field(default_factory=dict)
    received_at: dt.datetime = field(default_factory=utc_now)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def record_count(self) -> int:
        return sum(len(texts) for texts in self.records.values())


def _ensure_log(con) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"""create table if not exists {SCHEMA}.deliveries (
            tool varchar not null,
            delivery_id varchar,
            event_name varchar,
            outcome varchar not null,
            reason varchar,
            record_count integer not null,
            received_at timestamp not null,
            landed_at timestamp
        )"""
    )


def landed_delivery_ids(warehouse: Path) -> set[tuple[str, str]]:
    """(tool, delivery id) of every delivery landed or ignored before: a replay
    of one of them lands nothing."""
    from outcomes.warehouse import connect

    if not warehouse.exists():
        return set()
    con = connect(warehouse, read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = 'deliveries'",
            [SCHEMA],
        ).fetchone()[0]
        if not exists:
            return set()
        rows = con.execute(
            f"select tool, delivery_id from {SCHEMA}.deliveries "
            "where outcome in ('landed', 'ignored') and delivery_id is not null"
        ).fetchall()
    finally:
        con.close()
    return {(tool, delivery) for tool, delivery in rows}


class Lander:
    """Lands queued deliveries in batches, one writer at a time."""

    def __init__(self, warehouse: Path, salt: bytes, batch_seconds: float = BATCH_SECONDS):
        self.warehouse = warehouse
        self.salt = salt
        self.batch_seconds = batch_seconds
        self.queue: queue.Queue[Delivery | None] = queue.Queue()
        self.seen = landed_delivery_ids(warehouse)
        self._seen_lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="webhook-lander", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.queue.put(None)
        self._thread.join(timeout=LAND_TIMEOUT_SECONDS)

    def claim(self, tool: str, delivery_id: str | None) -> bool:
        """True the first time a delivery id is seen (it is then landed once)."""
        if delivery_id is None:
            return True
        with self._seen_lock:
            if (tool, delivery_id) in self.seen:
                return False
            self.seen.add((tool, delivery_id))
            return True

    def release(self, tool: str, delivery_id: str | None) -> None:
        """A delivery that failed to land may be sent again."""
        if delivery_id is not None:
            with self._seen_lock:
                self.seen.discard((tool, delivery_id))

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            first = self.queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self.batch_seconds
            while len(batch) < MAX_BATCH:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    item = self.queue.get(timeout=left)
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._land(batch)

    def _land(self, batch: list[Delivery]) -> None:
        from outcomes.run_lock import run_lock
        from outcomes.warehouse import connect
        from pipelines.common.push import land_pushed

        landed_at = utc_now().replace(microsecond=0)
        by_tool: dict[str, list[Delivery]] = {}
        for delivery in batch:
            if delivery.outcome == "landed":
                by_tool.setdefault(delivery.tool, []).append(delivery)
        try:
            with run_lock(self.warehouse, "outcomes webhooks serve"):
                for tool, deliveries in by_tool.items():
                    pushed: dict[str, list[tuple[str, list[str]]]] = {}
                    for delivery in deliveries:
                        for file, texts in delivery.records.items():
                            origin = f"{tool} webhook {delivery.event or 'event'}"
                            pushed.setdefault(file, []).append((origin, texts))
                    try:
                        load = land_pushed(tool, self.warehouse, self.salt, pushed, landed_at)
                    except OutcomesError as exc:
                        self._fail(deliveries, str(exc))
                        continue
                    if not load.published:
                        self._fail(deliveries, "the quality gate refused the batch")
                con = connect(self.warehouse, read_only=False)
                try:
                    _ensure_log(con)
                    con.executemany(
                        f"insert into {SCHEMA}.deliveries values (?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            (
                                d.tool,
                                d.delivery_id,
                                d.event,
                                d.outcome,
                                d.reason,
                                d.record_count,
                                d.received_at,
                                landed_at if d.outcome == "landed" else None,
                            )
                            for d in batch
                        ],
                    )
                finally:
                    con.close()
                fresh = {
                    tool: landed_at.isoformat()
                    for tool, deliveries in by_tool.items()
                    if any(d.outcome == "landed" for d in deliveries)
                }
                if fresh:
                    _write_marker(self.warehouse, fresh)
        except OutcomesError as exc:  # the run lock, the warehouse: every delivery fails
            self._fail([d for d in batch if d.outcome == "landed"], str(exc))
        finally:
            for delivery in batch:
                delivery.done.set()

    def _fail(self, deliveries: list[Delivery], reason: str) -> None:
        for delivery in deliveries:
            delivery.outcome, delivery.reason = "failed", reason
            self.release(delivery.tool, delivery.delivery_id)


def _event_name(tool: str, headers, payload: dict[str, Any]) -> str | None:
    from pipelines.common.webhooks import header

    if tool == "github":
        return header(headers, "X-GitHub-Event")
    name = payload.get("webhookEvent") if tool == "jira" else payload.get("type")
    return name if isinstance(name, str) else None


def make_handler(lander: Lander, secrets: dict[str, str], clock=utc_now):
    """The request handler class of one receiver (its lander and secrets)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "outcomes-webhooks"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return  # deliveries are logged in the warehouse, not on stderr

        def _answer(self, status: int, message: str) -> None:
            body = orjson.dumps({"status": status, "message": message})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            tool = self.path.split("?", 1)[0].rstrip("/").removeprefix("/webhooks/")
            if tool not in secrets:
                self._answer(HTTPStatus.NOT_FOUND, f"no webhook is configured at {self.path}")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body larger than 5 MB")
                return
            body = self.rfile.read(length)
            module = tool_module(tool)
            refused = module.verify(self.headers, body, secrets[tool], clock())
            if refused is not None:
                lander.queue.put(
                    Delivery(
                        tool, module.delivery_id(self.headers, body), None, "rejected", refused
                    )
                )
                self._answer(HTTPStatus.UNAUTHORIZED, refused)
                return
            try:
                payload = orjson.loads(body)
            except orjson.JSONDecodeError:
                self._answer(HTTPStatus.BAD_REQUEST, "the body is not JSON")
                return
            if not isinstance(payload, dict):
                self._answer(HTTPStatus.BAD_REQUEST, "the body is not a JSON object")
                return
            delivery_id = module.delivery_id(self.headers, body)
            event = _event_name(tool, self.headers, payload)
            if not lander.claim(tool, delivery_id):
                lander.queue.put(Delivery(tool, delivery_id, event, "duplicate", "landed before"))
                self._answer(HTTPStatus.OK, "already landed")
                return
            records = module.records(self.headers, payload)
            texts = {
                file: [orjson.dumps(r).decode() for r in rows]
                for file, rows in records.items()
                if rows
            }
            outcome = "landed" if texts else "ignored"
            reason = None if texts else "an event Outcomes does not use"
            delivery = Delivery(tool, delivery_id, event, outcome, reason, texts)
            lander.queue.put(delivery)
            if outcome == "ignored":
                self._answer(HTTPStatus.OK, "ignored: " + reason)
                return
            if not delivery.done.wait(LAND_TIMEOUT_SECONDS) or delivery.outcome != "landed":
                self._answer(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"not landed: {delivery.reason or 'timed out'}; send it again",
                )
                return
            self._answer(HTTPStatus.OK, f"landed {delivery.record_count} record(s)")

    return Handler


def configured_secrets(tools: tuple[str, ...] = PUSHING_TOOLS) -> dict[str, str]:
    """The webhook secret of each tool that has one in dlt's secrets
    (`[sources.<tool>] webhook_secret`, or SOURCES__<TOOL>__WEBHOOK_SECRET)."""
    from pipelines.common.api import secret

    found = {}
    for tool in tools:
        value = secret(tool, tool_module(tool).SECRET_KEY, required=False)
        if value:
            found[tool] = value
    if not found:
        raise OutcomesError(
            "no webhook secret is set: put webhook_secret under [sources.github], "
            "[sources.jira] or [sources.zendesk] in .dlt/secrets.toml (or export "
            "SOURCES__GITHUB__WEBHOOK_SECRET, ...); docs/webhooks.md"
        )
    return found


class Receiver:
    """A running receiver: its HTTP server and its lander, in threads."""

    def __init__(
        self,
        warehouse: Path,
        salt: bytes,
        secrets: dict[str, str],
        host: str = "127.0.0.1",
        port: int = 8787,
        clock=utc_now,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self.lander = Lander(warehouse, salt, batch_seconds)
        try:
            self.server = _Server((host, port), make_handler(self.lander, secrets, clock))
        except OSError as exc:
            raise OutcomesError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Receiver:
        self.lander.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.lander.stop()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
