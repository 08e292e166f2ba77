"""PagerDuty REST API v2, as documented (developer.pagerduty.com, "API Reference").

- Auth: `Authorization: Token token=<key>`; `Accept: application/vnd.pagerduty+json;version=2`.
- Classic pagination: `limit` (at most 100) and `offset`; the body says
  `more`; `offset + limit` may not pass 10,000 (a 400 answer), so a client
  windows long ranges by `since`/`until`.
- `GET /incidents`: `since`/`until` filter on the creation time (default: the
  last 30 days), `date_range=all` drops the range, `statuses[]` filters by
  status; `sort_by=created_at`.
- `GET /incidents/{id}`: one incident (`{"incident": {...}}`); an unknown
  id answers 404.
- `GET /users`: every user of the account.
- `GET /incidents/{id}/log_entries`: the incident's log, newest first (the
  API's order), classic pagination as above; `since`/`until` filter on the
  entry's `created_at`; an unknown incident answers 404. The demo's
  exports carry them in `log_entries.jsonl`.
- `GET /services`: every service of the account (`services.jsonl` of the
  export folder, when it has one; the demo's has none).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from outcomes.simulators.server import (
    Request,
    Response,
    Simulator,
    latest,
    parse_time,
    read_jsonl,
    route,
)

MAX_LIMIT = 100
MAX_OFFSET = 10_000
LOG_ENTRIES = route("/incidents/{incident_id}/log_entries")
INCIDENT = route("/incidents/{incident_id}")


class PagerDutySimulator(Simulator):
    tool = "pagerduty"

    def __init__(self, exports: Path, now: dt.datetime | None = None) -> None:
        super().__init__(exports)
        self.now = now or dt.datetime.now(dt.UTC)
        self.incidents = latest(
            read_jsonl(exports / "incidents.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updated_at"),
        )
        self.users = latest(
            read_jsonl(exports / "users.jsonl"), lambda r: r.get("id"), lambda r: ""
        )
        self.services = latest(
            read_jsonl(exports / "services.jsonl"), lambda r: r.get("id"), lambda r: ""
        )
        self._incident_ids = {r.get("id") for r in self.incidents}
        self.log_entries: dict[str, list[dict]] = {}
        for entry in latest(
            read_jsonl(exports / "log_entries.jsonl"), lambda r: r.get("id"), lambda r: ""
        ):
            incident = (entry.get("incident") or {}).get("id")
            self.log_entries.setdefault(incident, []).append(entry)
        for entries in self.log_entries.values():
            entries.sort(key=lambda e: (e.get("created_at") or "", e.get("id") or ""), reverse=True)

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization", "") == f"Token token={self.token}"

    def update_incident(self, incident_id: str, **changes: object) -> None:
        """A change a test makes between two pulls (the incident's updated_at moves)."""
        for record in self.incidents:
            if record.get("id") == incident_id:
                record.update(changes)
                record["updated_at"] = changes.get("updated_at") or self.now.strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                )
                return
        raise KeyError(incident_id)

    def handle(self, request: Request) -> Response:
        if request.path == "/users":
            return self._page(request, "users", self.users)
        if request.path == "/services":
            return self._page(request, "services", self.services)
        if request.path == "/incidents":
            items = self.incidents
            if request.arg("date_range") != "all":
                until = parse_time(request.arg("until")) or self.now
                since = parse_time(request.arg("since")) or until - dt.timedelta(days=30)
                items = [
                    r
                    for r in items
                    if (created := parse_time(r.get("created_at"))) is not None
                    and since <= created < until
                ]
            statuses = request.query.get("statuses[]")
            if statuses:
                items = [r for r in items if r.get("status") in statuses]
            items = sorted(items, key=lambda r: (r.get("created_at") or "", r.get("id") or ""))
            return self._page(request, "incidents", items)
        match = LOG_ENTRIES.match(request.path)
        if match:
            return self._log_entries(request, match.group("incident_id"))
        match = INCIDENT.match(request.path)
        if match:
            wanted = match.group("incident_id")
            for record in self.incidents:
                if record.get("id") == wanted:
                    return Response(200, {"incident": record})
            return Response(404, {"error": {"message": "Not Found", "code": 2100}})
        raise LookupError(request.path)

    def _log_entries(self, request: Request, incident_id: str) -> Response:
        if incident_id not in self._incident_ids:
            return Response(404, {"error": {"message": "Not Found", "code": 2100}})
        items = self.log_entries.get(incident_id, [])
        since, until = parse_time(request.arg("since")), parse_time(request.arg("until"))
        if since or until:
            items = [
                e
                for e in items
                if (at := parse_time(e.get("created_at"))) is not None
                and (since is None or at >= since)
                and (until is None or at < until)
            ]
        return self._page(request, "log_entries", items)

    def _page(self, request: Request, name: str, items: list[dict]) -> Response:
        limit = min(request.int_arg("limit", 25), MAX_LIMIT)
        offset = request.int_arg("offset", 0)
        if offset + limit > MAX_OFFSET:
            return Response(
                400,
                {"error": {"message": "Offset must be less than 10000", "code": 2001}},
            )
        page = items[offset : offset + limit]
        return Response(
            200,
            {
                name: page,
                "limit": limit,
                "offset": offset,
                "more": offset + limit < len(items),
                "total": None,
            },
        )


SIMULATOR = PagerDutySimulator
