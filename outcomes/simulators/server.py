"""A local HTTP server that plays a tool's REST API, for tests and the demo.

Each tool's simulator (`outcomes/simulators/<tool>.py`) serves the demo
organisation's exports (the folder `outcomes generate` writes) the way the
tool's public API documents it: its paths, page size caps, paging (Link
headers, cursors, offsets, page tokens), `updated` filters and deleted
records. The shapes follow the vendors' API references, not our loaders.

Shared here: a threaded server on 127.0.0.1 (an ephemeral port), bearer or
basic auth checked on every request, a request log, the current state of
each record (an export repeats records and delivers old versions late; an
API answers with the newest), changes a test makes between two pulls, and
faults injected on demand:

    sim.inject("429", path="/incidents")     # 429 with Retry-After: 1
    sim.inject("502")                        # a bad gateway, once
    sim.inject("slow", seconds=2)            # a slow page
    sim.inject("truncate")                   # the connection drops mid-body
    sim.inject("bad_json")                   # a complete answer, cut JSON
    sim.inject("expired_token")              # a tool-specific answer (410 Gone, ...)

A fault fires once (or `times=` times) on the next request whose path
starts with `path`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

Record = dict[str, Any]


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    kind: str
    path: str = ""
    times: int = 1
    seconds: float = 0.0
    retry_after: int = 1  # a 429's Retry-After, in seconds


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def int_arg(self, name: str, default: int) -> int:
        value = self.arg(name)
        try:
            return int(value) if value is not None else default
        except ValueError:
            return default


def read_jsonl(path: Path) -> list[Record]:
    """The valid JSON objects of an export, in file order (broken lines skipped)."""
    if not path.exists():
        return []
    out = []
    with path.open("rb") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                out.append(record)
    return out


def latest(
    records: Iterable[Record], key: Callable[[Record], Any], updated: Callable[[Record], Any]
) -> list[Record]:
    """One record per key, the newest by `updated` (then the later line), in first-seen order.

    A record whose key is missing is kept as it is: an API can serve a broken
    record too, and the loader must quarantine it as it does from a file."""
    best: dict[Any, tuple[Any, int, Record]] = {}
    keyless = []
    for position, record in enumerate(records):
        k = key(record)
        if k is None:
            keyless.append((position, record))
            continue
        rank = (updated(record) or "", position)
        if k not in best or rank >= best[k][:2]:
            best[k] = (*rank, record)
    first_seen: dict[Any, int] = {}
    for position, record in enumerate(records):
        k = key(record)
        if k is not None:
            first_seen.setdefault(k, position)
    ordered = sorted(((first_seen[k], v[2]) for k, v in best.items()), key=lambda x: x[0])
    merged = sorted([*ordered, *keyless], key=lambda x: x[0])
    return [r for _, r in merged]


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class Simulator:
    """Base of every tool simulator: subclass, load data in `__init__`, route in `handle`."""

    tool = "tool"
    # Credentials the simulator accepts (the demo's and the tests').
    token = "simulator-token"

    def __init__(self, exports: Path) -> None:
        self.exports = exports
        self.requests: list[str] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> Simulator:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out at once: no 40 ms delayed-ACK stall per request
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                simulator._serve(self, "GET")

            def do_POST(self) -> None:
                simulator._serve(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the simulator first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- faults and logs ------------------------------------------------------

    def inject(
        self,
        kind: str,
        path: str = "",
        times: int = 1,
        seconds: float = 2.0,
        retry_after: int = 1,
    ) -> None:
        with self._lock:
            self._faults.append(Fault(kind, path, times, seconds, retry_after))

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- what a subclass writes ----------------------------------------------

    def credentials(self) -> dict[str, str]:
        """The dlt secrets (as environment variables) a loader needs to pull from here."""
        tool = self.tool.upper()
        return {
            f"SOURCES__{tool}__{key}": self.token
            for key in ("ACCESS_TOKEN", "API_KEY", "API_TOKEN", "TOKEN")
        }

    def demo_scope(self) -> dict[str, Any]:
        """The `api:` scope settings that cover the demo organisation (org, projects, ...)."""
        return {}

    def authorized(self, request: Request) -> bool:
        """Bearer token by default; a tool with basic auth or API keys overrides."""
        return request.headers.get("authorization", "") == f"Bearer {self.token}"

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def tool_fault(self, fault: Fault, request: Request) -> Response | None:
        """A tool's own fault (e.g. an expired sync token); None: not this tool's."""
        return None

    def url(self, path: str, **params: Any) -> str:
        """An absolute URL on this server (for Link headers and `next` fields)."""
        query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
        return f"{self.base_url}{path}" + (f"?{query}" if query else "")

    # -- the HTTP plumbing -----------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        body = None
        length = int(headers.get("content-length") or 0)
        if length:
            raw = handler.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        request = Request(method, parts.path, parse_qs(parts.query), headers, body)
        with self._lock:
            self.requests.append(handler.path)
        fault = self._take_fault(parts.path)
        response: Response | None = None
        if fault is not None:  # truncate, bad_json, slow... act while writing below
            response = self._fault_response(fault, request, handler)
        if response is None:
            if not self.authorized(request):
                response = Response(401, {"message": "Bad credentials"})
            else:
                try:
                    response = self.handle(request)
                except LookupError:
                    response = Response(404, {"message": "Not Found"})
        self._write(handler, response, fault)

    def _fault_response(
        self, fault: Fault, request: Request, handler: BaseHTTPRequestHandler
    ) -> Response | None:
        if fault.kind == "429":
            return Response(
                429, {"message": "rate limited"}, {"Retry-After": str(fault.retry_after)}
            )
        if fault.kind in {"502", "500", "503"}:
            return Response(int(fault.kind), {"message": "bad gateway"})
        if fault.kind in {"truncate", "bad_json", "slow", "new_field", "drop_optional"}:
            return None
        return self.tool_fault(fault, request)

    def _write(
        self, handler: BaseHTTPRequestHandler, response: Response, fault: Fault | None
    ) -> None:
        kind = fault.kind if fault else ""
        if kind == "slow":
            time.sleep(fault.seconds if fault else 2.0)
        body = response.body
        if kind in {"new_field", "drop_optional"} and response.status == 200:
            body = _mutate_records(body, kind)
        data = b"" if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        try:
            handler.send_response(response.status)
            for name, value in headers.items():
                handler.send_header(name, value)
            if kind == "truncate":
                handler.send_header("Content-Length", str(len(data)))
                handler.send_header("Connection", "close")
                handler.end_headers()
                handler.wfile.write(data[: len(data) // 2])
                handler.wfile.flush()
                handler.close_connection = True
                return
            if kind == "bad_json":
                data = data[: len(data) // 2]
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _mutate_records(body: Any, kind: str) -> Any:
    """A new field on every record of a page, or an optional field removed."""

    def change(record: Any) -> Any:
        if not isinstance(record, dict):
            return record
        record = dict(record)
        if kind == "new_field":
            record["x_added_by_vendor"] = "new"
        else:
            for optional in ("updated_at", "description", "html_url", "url", "self"):
                if optional in record and optional not in {"updated_at"}:
                    record.pop(optional)
                    break
        return record

    if isinstance(body, list):
        return [change(r) for r in body]
    if isinstance(body, dict):
        return {k: ([change(r) for r in v] if isinstance(v, list) else v) for k, v in body.items()}
    return body


def basic_auth_ok(request: Request, user: str, password: str) -> bool:
    expected = base64.b64encode(f"{user}:{password}".encode()).decode()
    return request.headers.get("authorization", "") == f"Basic {expected}"


def page_slice(items: list[Any], start: int, size: int) -> list[Any]:
    return items[max(start, 0) : max(start, 0) + max(size, 0)]


def route(pattern: str) -> re.Pattern[str]:
    """`/repos/{owner}/{repo}/pulls` -> a regex with named groups."""
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
