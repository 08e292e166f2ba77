"""A local webhook receiver on 127.0.0.1 that verifies every signature, as a
real receiver would (docs/nudges.md#verifying-a-signature)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from outcomes.nudges.signing import DELIVERY_HEADER, verify


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verdict: str | None  # None: authentic and fresh
    status: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str
    # statuses answered to authentic requests, in turn; then 200
    script: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    now: float | None = None  # the receiver's clock (None: real time)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                verdict = verify(receiver.secret, headers, body, now=receiver.now)
                if verdict is not None:
                    status = 401
                elif receiver.script:
                    status = receiver.script.pop(0)
                else:
                    status = 200
                receiver.requests.append(Received(self.path, headers, body, verdict, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.verdict is None and 200 <= r.status < 300]

    def delivery_ids(self) -> list[str]:
        return [r.headers[DELIVERY_HEADER] for r in self.accepted()]
