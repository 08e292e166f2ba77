"""ServiceNow's REST Table API, as documented ("Table API", docs.servicenow.com).

- Basic auth (an integration user with the `itil` role, or read ACLs on
  `incident`, `sys_audit`, `sys_choice`, `sys_user` and `sys_user_group`).
- `GET /api/now/table/{table}` -> `{"result": [...]}`; paging by
  `sysparm_limit` (capped here at 1,000; ServiceNow's default maximum is
  10,000) and `sysparm_offset`, with `Link` headers (`rel="next"`) and
  `X-Total-Count`; `sysparm_query` is an encoded query (`field>=value`,
  `field=value`, `fieldINa,b`, `^` for AND, `ORDERBYfield`) on the stored
  values; `sysparm_fields` names the fields answered.
- Stored values against display values: a choice field stores its code
  (`incident_state` "2") and shows its label ("Active"); a reference field
  stores the referenced record's sys_id and shows its display field (a
  user's `name`); a date is stored in UTC as `yyyy-MM-dd HH:mm:ss`.
  `sysparm_display_value` picks what a record answers: `false` (the
  default) the stored values, `true` the display values, `all` both
  (`{"display_value": ..., "value": ...}` per field). A reference comes
  with a `link` to its record unless `sysparm_exclude_reference_link=true`.
- `sys_audit` holds one row per changed field of an audited record, in
  stored values whatever `sysparm_display_value` says: `tablename`,
  `documentkey` (the record's sys_id), `fieldname`, `oldvalue`, `newvalue`,
  `record_checkpoint` (the record's update count after the change),
  `sys_created_on`, `user`. Inserts are audited too (`oldvalue` empty) when
  `glide.sys.audit_inserts` is on, as here.
- `sys_choice` holds the labels of the choice fields (`name` the table,
  `element` the field, `value` the code, `label`, `language`, `inactive`);
  `sys_user` and `sys_user_group` the people and groups referenced.

Served from an incident event log export (CSV, one row per update of an
incident, the shape of the public UCI "incident management process enriched
event log", whose cells are display values): the `incident` table holds each
incident's latest update; `sys_audit` the field changes between consecutive
updates. An update that changed no audited field leaves no audit row, as in
ServiceNow: it cannot be recovered through the API. Codes and sys_ids are
made up here, the way an instance would hold them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
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

# The incident table's dictionary, for the export's columns: the choice
# fields, the reference fields (and the table each refers to), the booleans.
CHOICE_FIELDS = {
    "incident_state", "contact_type", "category", "subcategory", "impact", "urgency",
    "priority", "notify", "close_code",
}  # fmt: skip
REFERENCES = {
    "caller_id": "sys_user", "opened_by": "sys_user", "assigned_to": "sys_user",
    "resolved_by": "sys_user", "assignment_group": "sys_user_group",
    "location": "cmn_location", "cmdb_ci": "cmdb_ci", "problem_id": "problem",
    "rfc": "change_request", "caused_by": "change_request", "vendor": "core_company",
}  # fmt: skip
BOOLEAN_FIELDS = {"active", "made_sla", "knowledge", "u_priority_confirmation"}
# Codes of incident_state in the base system of the log's time; another label
# gets a code made from it, as a customised instance would.
STATE_CODES = {
    "New": "1", "Active": "2", "Awaiting Problem": "3", "Awaiting User Info": "4",
    "Awaiting Evidence": "5", "Resolved": "6", "Closed": "7", "Awaiting Vendor": "8",
}  # fmt: skip
# The log's "-100" is a stored state with no choice behind it: an instance
# shows such a value as it is stored.
UNLABELLED = {("incident_state", "-100")}
SERVED_TABLES = {"sys_user", "sys_user_group"}


def _api_time(value: str) -> str:
    try:
        return dt.datetime.strptime(value, EXPORT_TIME).strftime(API_TIME)
    except ValueError:
        return ""


def _sys_id(*parts: str) -> str:
    return hashlib.md5(":".join(parts).encode()).hexdigest()  # 32 hex, like sys_ids


def _code(field: str, label: str) -> str:
    if field == "incident_state" and label in STATE_CODES:
        return STATE_CODES[label]
    numbered = re.match(r"(\d+) - ", label)  # "2 - Medium" is stored as "2"
    return numbered.group(1) if numbered else re.sub(r"\W+", "_", label.strip().lower())


class Instance:
    """What the instance stores: the choice lists and the referenced records,
    and how a displayed value is stored and a stored value displayed."""

    def __init__(self) -> None:
        self.choices: list[dict[str, str]] = []
        self.records: dict[str, list[dict[str, str]]] = {t: [] for t in REFERENCES.values()}
        self._codes: dict[tuple[str, str], str] = {}
        self._labels: dict[tuple[str, str], str] = {}
        self._names: dict[str, str] = {}

    def stored(self, field: str, shown: str) -> str:
        if shown == "":
            return ""
        if field in TIME_FIELDS:
            return _api_time(shown)
        if field in BOOLEAN_FIELDS:
            return shown.lower()
        if field in CHOICE_FIELDS:
            return self._choice(field, shown)
        if field in REFERENCES:
            return self._reference(REFERENCES[field], shown)
        return shown

    def shown(self, field: str, stored: str) -> str:
        if field in CHOICE_FIELDS:
            return self._labels.get((field, stored), stored)
        if field in REFERENCES:
            return self._names.get(stored, "")
        return stored

    def _choice(self, field: str, label: str) -> str:
        if (field, label) in UNLABELLED:
            return label
        if (field, label) not in self._codes:
            code = _code(field, label)
            self._codes[field, label] = code
            self._labels[field, code] = label
            self.choices.append(
                {
                    "sys_id": _sys_id("sys_choice", field, code),
                    "name": "incident",
                    "element": field,
                    "value": code,
                    "label": label,
                    "language": "en",
                    "inactive": "false",
                    "sequence": str(len(self.choices)),
                }
            )
        return self._codes[field, label]

    def _reference(self, table: str, name: str) -> str:
        sys_id = _sys_id(table, name)
        if sys_id not in self._names:
            self._names[sys_id] = name
            record = {"sys_id": sys_id, "name": name}
            if table == "sys_user":
                record["user_name"] = re.sub(r"\s+", ".", name.strip().lower())
            self.records[table].append(record)
        return sys_id


class ServiceNowSimulator(Simulator):
    tool = "servicenow"
    user = "outcomes.integration"

    def __init__(self, exports: Path) -> None:
        super().__init__(exports)
        self.instance = Instance()
        # each incident's current record, in stored values, by number
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
                record = self._stored_record(by_count[count])
                self._audit(record, previous)
                previous = record
            if previous is not None:
                self.incidents[number] = previous

    def _stored_record(self, row: dict[str, str]) -> dict[str, str]:
        """An event log row (display values) as the incident table stores it."""
        record = {}
        for name, value in row.items():
            field = EXPORT_TO_TABLE.get(name, name)
            record[field] = self.instance.stored(field, "" if value in (None, "?") else value)
        record["sys_id"] = _sys_id("incident", row["number"])
        return record

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
        """An update a test makes between two pulls, in display values as a
        person enters them ("1 - Critical", a group's name); stored and
        audited like ServiceNow does."""
        current = self.incidents[number]
        stored = {f: self.instance.stored(f, v) for f, v in changes.items()}
        record = {**current, **stored}
        record["sys_mod_count"] = str(int(current["sys_mod_count"]) + 1)
        record["sys_updated_on"] = when
        self._audit(record, current)
        self.incidents[number] = record

    def handle(self, request: Request) -> Response:
        table = request.path.removeprefix("/api/now/table/")
        if table == "incident":
            return self._page(request, list(self.incidents.values()), displayed=True)
        if table == "sys_audit":
            return self._page(request, self.audits)
        if table == "sys_choice":
            return self._page(request, self.instance.choices)
        if table in SERVED_TABLES:
            return self._page(request, self.instance.records[table])
        raise LookupError(request.path)

    def _answer(self, request: Request, record: dict[str, str]) -> dict[str, Any]:
        """An incident as `sysparm_display_value` and
        `sysparm_exclude_reference_link` ask for it."""
        mode = (request.arg("sysparm_display_value") or "false").lower()
        links = (request.arg("sysparm_exclude_reference_link") or "false").lower() != "true"
        out: dict[str, Any] = {}
        for field, value in record.items():
            shown = self.instance.shown(field, value)
            if mode == "all":
                answer: Any = {"display_value": shown, "value": value}
            elif mode == "true":
                answer = shown
            else:
                answer = value
            if field in REFERENCES and value and links and mode != "true":
                table = REFERENCES[field]
                link = self.url(f"/api/now/table/{table}/{value}")
                answer = (
                    {**answer, "link": link} if mode == "all" else {"link": link, "value": value}
                )
            out[field] = answer
        return out

    def _page(
        self, request: Request, rows: list[dict[str, Any]], displayed: bool = False
    ) -> Response:
        rows = _filter(rows, request.arg("sysparm_query") or "")
        limit = min(request.int_arg("sysparm_limit", 10_000), MAX_LIMIT)
        offset = request.int_arg("sysparm_offset", 0)
        page = rows[offset : offset + limit]
        fields = request.arg("sysparm_fields")
        if fields:
            wanted = fields.split(",")
            page = [{f: r.get(f, "") for f in wanted} for r in page]
        if displayed:
            page = [self._answer(request, r) for r in page]
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
