"""ServiceNow's REST Table API, as documented ("Table API", docs.servicenow.com).

- Basic auth (an integration user with the `itil` role, or read ACLs on
  `incident` and `sys_audit`).
- `GET /api/now/table/{table}` -> `{"result": [...]}`; paging by
  `sysparm_limit` (capped here at 1,000; ServiceNow's default maximum is
  10,000) and `sysparm_offset`, with `Link` headers (`rel="next"`) and
  `X-Total-Count`; `sysparm_query` is an encoded query (`field>=value`,
  `field=value`, `^` for AND, `ORDERBYfield`); `sysparm_display_value=true`
  answers display values (a reference as its name), dates as
  `yyyy-MM-dd HH:mm:ss`.
- `sys_audit` holds one row per changed field of an audited record:
  `tablename`, `documentkey` (the record's sys_id), `fieldname`,
  `oldvalue`, `newvalue`, `record_checkpoint` (the record's update count
  after the change), `sys_created_on`, `user`. Inserts are audited too
  (`oldvalue` empty) when `glide.sys.audit_inserts` is on, as here.

Served from an incident event log export (CSV, one row per update of an
incident, the shape of the public UCI "incident management process enriched event log"): the
`incident` table holds each incident's latest update; `sys_audit` holds the
field changes between consecutive updates. An update that changed no audited
field leaves no audit row, as in ServiceNow: it cannot be recovered through
the API.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from outcomes.simulators.server import Request, Response, Simulator, basic_auth_ok

MAX_LIMIT = 1_000
# The event log export names three fields otherwise than the incident table.
EXPORT_TO_TABLE = {
    "sys_updated_at": "sys_updated_on",
    "sys_created_at": "sys_created_on",
    "closed_code": "close_code",
}
# ServiceNow does not audit its own bookkeeping fields.
NOT_AUDITED = {"sys_mod_count", "sys_updated_on", "sys_updated_by"}
TIME_FIELDS = {"opened_at", "sys_created_on", "sys_updated_on", "resolved_at", "closed_at"}
EXPORT_TIME = "%d-%m-%Y %H:%M"
API_TIME = "%Y-%m-%d %H:%M:%S"


def _api_time(value: str) -> str:
    try:
        return dt.datetime.strptime(value, EXPORT_TIME).strftime(API_TIME)
    except ValueError:
        return ""


def _api_record(row: dict[str, str]) -> dict[str, str]:
    """An event log row as the Table API would show the incident then."""
    record = {}
    for name, value in row.items():
        field = EXPORT_TO_TABLE.get(name, name)
        value = "" if value in (None, "?") else value
        record[field] = _api_time(value) if field in TIME_FIELDS and value else value
    record["sys_id"] = hashlib.md5(row["number"].encode()).hexdigest()  # 32 hex, like sys_ids
    return record


class ServiceNowSimulator(Simulator):
    tool = "servicenow"
    user = "outcomes.integration"

    def __init__(self, exports: Path) -> None:
        super().__init__(exports)
        self.incidents: dict[str, dict[str, str]] = {}
        self.audits: list[dict[str, Any]] = []
        versions: dict[str, list[dict[str, str]]] = {}
        for path in sorted(exports.glob("*.csv")):
            with path.open(newline="") as handle:
                for row in csv.DictReader(handle):
                    versions.setdefault(row["number"], []).append(row)
        for number, rows in versions.items():
            by_count: dict[int, dict[str, str]] = {}
            for row in rows:  # the later row wins for one update count
                by_count[int(row["sys_mod_count"])] = row
            previous: dict[str, str] | None = None
            for count in sorted(by_count):
                record = _api_record(by_count[count])
                self._audit(record, previous)
                previous = record
            if previous is not None:
                self.incidents[number] = previous

    def _audit(self, record: dict[str, str], previous: dict[str, str] | None) -> None:
        for field, value in record.items():
            if field in NOT_AUDITED or field == "sys_id":
                continue
            old = previous.get(field, "") if previous is not None else ""
            if previous is None and value == "":
                continue
            if previous is not None and old == value:
                continue
            self.audits.append(
                {
                    "sys_id": f"au{len(self.audits):010d}",
                    "tablename": "incident",
                    "documentkey": record["sys_id"],
                    "fieldname": field,
                    "oldvalue": old,
                    "newvalue": value,
                    "record_checkpoint": record["sys_mod_count"],
                    "sys_created_on": record["sys_updated_on"],
                    "user": record["sys_updated_by"],
                }
            )

    def credentials(self) -> dict[str, str]:
        return {
            "SOURCES__SERVICENOW__USERNAME": self.user,
            "SOURCES__SERVICENOW__PASSWORD": self.token,
        }

    def authorized(self, request: Request) -> bool:
        return basic_auth_ok(request, self.user, self.token)

    def update_incident(self, number: str, when: str, **changes: str) -> None:
        """An update a test makes between two pulls: audited like ServiceNow does."""
        current = self.incidents[number]
        record = {**current, **changes}
        record["sys_mod_count"] = str(int(current["sys_mod_count"]) + 1)
        record["sys_updated_on"] = when
        self._audit(record, current)
        self.incidents[number] = record

    def handle(self, request: Request) -> Response:
        if request.path == "/api/now/table/incident":
            rows = list(self.incidents.values())
            return self._page(request, rows)
        if request.path == "/api/now/table/sys_audit":
            return self._page(request, self.audits)
        raise LookupError(request.path)

    def _page(self, request: Request, rows: list[dict[str, Any]]) -> Response:
        rows = _filter(rows, request.arg("sysparm_query") or "")
        limit = min(request.int_arg("sysparm_limit", 10_000), MAX_LIMIT)
        offset = request.int_arg("sysparm_offset", 0)
        page = rows[offset : offset + limit]
        fields = request.arg("sysparm_fields")
        if fields:
            wanted = fields.split(",")
            page = [{f: r.get(f, "") for f in wanted} for r in page]
        headers = {"X-Total-Count": str(len(rows))}
        if offset + limit < len(rows):
            params = {k: v[0] for k, v in request.query.items()}
            params["sysparm_offset"] = str(offset + limit)
            headers["Link"] = f'<{self.url(request.path, **params)}>;rel="next"'
        return Response(200, {"result": page}, headers)


def _filter(rows: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """The encoded-query subset a loader uses: `a=b`, `a>=b`, `aINx,y`, `ORDERBYa`."""
    order: list[str] = []
    for term in filter(None, query.split("^")):
        if term.startswith("ORDERBY"):
            order.append(term[len("ORDERBY") :])
        elif ">=" in term:
            field, value = term.split(">=", 1)
            rows = [r for r in rows if str(r.get(field, "")) >= value]
        elif "IN" in term and "=" not in term:
            field, values = term.split("IN", 1)
            allowed = set(values.split(","))
            rows = [r for r in rows if str(r.get(field, "")) in allowed]
        elif "=" in term:
            field, value = term.split("=", 1)
            rows = [r for r in rows if str(r.get(field, "")) == value]
    for field in reversed(order):
        rows = sorted(
            rows,
            key=lambda r: (
                int(r[field]) if str(r.get(field, "")).isdigit() else str(r.get(field, ""))
            ),
        )
    return rows


SIMULATOR = ServiceNowSimulator
