"""ServiceNow incidents through the REST Table API, as an incident event log.

The export this source reads (`policy.yml`) is an incident event log: one
row per update of an incident, in display values (a state's label, a
person's name). The Table API holds each incident's current state; its
history is in `sys_audit` (one row per changed field, with the record's
update count after the change, `record_checkpoint`), whose `oldvalue` is the
STORED value: a choice's code ("2"), a reference's sys_id, a date in UTC.
Each run:

1. asks for incidents updated since the cursor less the overlap
   (`sys_updated_on>=...^ORDERBYsys_updated_on`, paged by the `Link`
   header), only the fields the policy lands, with
   `sysparm_display_value=all`: each field's stored value and its display
   value;
2. asks for their field changes in the same window
   (`sys_audit`: `tablename=incident^sys_created_on>=...`);
3. rebuilds every update since the cursor in stored values: the current
   state, then each earlier update by undoing the later changes
   (`oldvalue`), newest first;
4. shows each rebuilt update as the export does: a choice's code by its
   label (`sys_choice`), a reference by the referenced record's name
   (`sys_user`, `sys_user_group`, asked by sys_id, once per run), a date in
   the export's format; each is one event log record in the export's shape.

An update that changed no audited field leaves no trace in sys_audit and
cannot be rebuilt (only its successor is seen). Settings: `base_url` (the
instance, https://INSTANCE.service-now.com), `start_date`. Credentials:
`[sources.servicenow] username` and `password` (basic auth of an
integration user with read access to `incident`, `sys_audit`, `sys_choice`,
`sys_user` and `sys_user_group`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from dlt.sources.helpers.rest_client.auth import HttpBasicAuth
from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator

from outcomes.config import ApiConfig
from outcomes.errors import OutcomesError
from pipelines.common.api import Pull, secret
from pipelines.common.http import ApiClient
from pipelines.common.policy import load_policy

log = logging.getLogger(__name__)

PAGE = 1_000
# sys_ids per `sys_idIN...` lookup: 100 keep the URL well under the 8 KB
# that proxies in front of an instance accept.
LOOKUP_BATCH = 100
API_TIME = "%Y-%m-%d %H:%M:%S"
EXPORT_TIME = "%d-%m-%Y %H:%M"
TABLE_TO_EXPORT = {
    "sys_updated_on": "sys_updated_at",
    "sys_created_on": "sys_created_at",
    "close_code": "closed_code",
}
EXPORT_TO_TABLE = {export: table for table, export in TABLE_TO_EXPORT.items()}
TIME_FIELDS = {"opened_at", "sys_created_on", "sys_updated_on", "resolved_at", "closed_at"}
# The base system's incident dictionary: the reference fields the policy
# lands, the table each refers to, and that table's display field.
REFERENCES = {
    "caller_id": "sys_user",
    "opened_by": "sys_user",
    "assigned_to": "sys_user",
    "resolved_by": "sys_user",
    "assignment_group": "sys_user_group",
}
DISPLAY_FIELD = {"sys_user": "name", "sys_user_group": "name"}
# The choice fields the policy lands. Their labels are in sys_choice under
# `incident`, or under `task` for the fields incident inherits and does not
# override (priority, impact, urgency on many instances).
CHOICES = ("incident_state", "priority", "impact", "urgency", "contact_type", "category",
           "close_code")  # fmt: skip
CHOICE_TABLES = ("incident", "task")
# Labels of the language the export is in (English).
LANGUAGE = "en"
# The sys_audit fields the rebuild reads.
AUDIT_FIELDS = ("documentkey", "fieldname", "oldvalue", "record_checkpoint", "sys_created_on",
                "user")  # fmt: skip
# The event log export writes "?" for an empty value.
EXPORT_EMPTY = "?"


def client(api: ApiConfig) -> ApiClient:
    if not api.base_url:
        raise OutcomesError(
            "source 'servicenow': api.base_url is not set (https://INSTANCE.service-now.com)"
        )
    auth = HttpBasicAuth(secret("servicenow", "username"), secret("servicenow", "password"))
    return ApiClient("servicenow", api.base_url, auth=auth, headers={"Accept": "application/json"})


def _window(pull: Pull, stream: str) -> str:
    since = pull.since(stream)
    return since.strftime(API_TIME) if since else "1970-01-01 00:00:00"


def _listing(
    pull: Pull, table: str, query: str, fields: Iterable[str], display: str = "false"
) -> Iterator[dict[str, Any]]:
    params = {
        "sysparm_query": query,
        "sysparm_fields": ",".join(fields),
        "sysparm_display_value": display,
        "sysparm_exclude_reference_link": "true",
        "sysparm_limit": PAGE,
    }
    for page in pull.client.paginate(
        f"/api/now/table/{table}",
        params=params,
        paginator=HeaderLinkPaginator(),
        data_selector="result",
    ):
        yield from page


def incident_fields() -> list[str]:
    """The incident fields the policy lands (under their table names), and the
    ones the rebuild needs: only these are asked for."""
    paths = {c.path for t in load_policy("servicenow").tables for c in t.columns if c.path}
    fields = {EXPORT_TO_TABLE.get(p, p) for p in paths}
    return sorted(fields | {"sys_id", "number", "sys_mod_count", "sys_updated_on"})


class Labels:
    """Stored values shown as the export shows them, for one run: what the
    incidents' display values already told, then sys_choice and the
    referenced records, each asked once and only for what is missing."""

    def __init__(self, pull: Pull) -> None:
        self.pull = pull
        self.shown: dict[tuple[str, str], str] = {}
        self._choices_read = False
        self._warned: set[tuple[str, str]] = set()

    @staticmethod
    def _key(field: str, stored: str) -> tuple[str, str]:
        # a sys_id names one record whichever field refers to it (a caller
        # seen today is the assignee of an earlier update)
        return (REFERENCES.get(field, field), stored)

    def learn(self, field: str, stored: str, shown: str) -> None:
        if stored and (field in REFERENCES or field in CHOICES):
            self.shown[self._key(field, stored)] = shown

    def prepare(self, stored: Iterable[tuple[str, str]]) -> None:
        """Look up the labels and names of these (field, stored value) pairs."""
        missing = {
            (f, v)
            for f, v in stored
            if v and (f in CHOICES or f in REFERENCES) and self._key(f, v) not in self.shown
        }
        if any(f in CHOICES for f, _ in missing):
            self._read_choices()
        for table in sorted(set(REFERENCES.values())):
            ids = sorted({v for f, v in missing if REFERENCES.get(f) == table})
            self._read_references(table, ids)

    def _read_choices(self) -> None:
        if self._choices_read:
            return
        self._choices_read = True
        query = f"nameIN{','.join(CHOICE_TABLES)}^elementIN{','.join(CHOICES)}^language={LANGUAGE}"
        # inactive choices too: an earlier update may hold a since-retired one
        rows = list(_listing(self.pull, "sys_choice", query, ("name", "element", "value", "label")))
        # incident's own list of a field wins over the one it inherits from task
        own = {r["element"] for r in rows if r["name"] == "incident"}
        for row in rows:
            if row["name"] == "incident" or row["element"] not in own:
                self.shown.setdefault((row["element"], row["value"]), row["label"])

    def _read_references(self, table: str, ids: list[str]) -> None:
        name = DISPLAY_FIELD[table]
        for start in range(0, len(ids), LOOKUP_BATCH):
            query = f"sys_idIN{','.join(ids[start : start + LOOKUP_BATCH])}"
            for row in _listing(self.pull, table, query, ("sys_id", name)):
                self.shown.setdefault((table, row["sys_id"]), row.get(name) or "")

    def show(self, number: str, field: str, stored: str) -> str:
        """The display value of a stored value; a value without one stays as
        stored, with a warning (a state the seed does not name then sends
        that update to quarantine: nothing is guessed)."""
        if not stored or (field not in CHOICES and field not in REFERENCES):
            return stored
        key = self._key(field, stored)
        shown = self.shown.get(key)
        if shown is not None:
            return shown
        if key not in self._warned:
            self._warned.add(key)
            if field in CHOICES:
                what = f"(code {stored!r}) has no label in sys_choice"
            else:  # no sys_id in the message: it keys a person
                what = f"refers to a {REFERENCES[field]} record that is gone or not readable"
            log.warning(
                "source 'servicenow': incident %s, field %s: an earlier value %s; kept as stored",
                number,
                field,
                what,
            )
        return stored


def _export_time(value: str) -> str:
    try:
        return dt.datetime.strptime(value, API_TIME).strftime(EXPORT_TIME)
    except ValueError:
        return value


def export_record(state: dict[str, Any]) -> dict[str, Any]:
    """One update of an incident (display values) in the event log export's shape."""
    out = {}
    for field, value in state.items():
        if field == "sys_id":
            continue
        text = "" if value is None else str(value)
        if field in TIME_FIELDS and text:
            text = _export_time(text)
        out[TABLE_TO_EXPORT.get(field, field)] = text if text != "" else EXPORT_EMPTY
    return out


def rebuild_updates(
    current: dict[str, Any], audits: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """The incident after each audited update, newest first (and the current
    state), in the values the current state and the audits share: stored ones."""
    by_checkpoint: dict[int, list[dict[str, Any]]] = {}
    for audit in audits:
        by_checkpoint.setdefault(int(audit["record_checkpoint"]), []).append(audit)
    state = dict(current)
    latest = int(current.get("sys_mod_count") or 0)
    if latest not in by_checkpoint:
        yield dict(state)
    for checkpoint in sorted(by_checkpoint, reverse=True):
        changes = by_checkpoint[checkpoint]
        if checkpoint > latest:  # audited after the incident was read: next run
            continue
        if checkpoint < 0:  # a deletion's or recovery's row, not an update
            continue
        version = dict(state)
        version["sys_mod_count"] = str(checkpoint)
        version["sys_updated_on"] = changes[0]["sys_created_on"]
        version["sys_updated_by"] = changes[0]["user"]
        yield version
        for change in changes:
            if change["fieldname"] in state:  # a field not read stays unread
                state[change["fieldname"]] = change["oldvalue"]


def incident_updates(pull: Pull) -> Iterator[dict[str, Any]]:
    stream = STREAM
    since = _window(pull, stream)
    fields = incident_fields()
    labels = Labels(pull)
    incidents: dict[str, dict[str, str]] = {}
    query = f"sys_updated_on>={since}^ORDERBYsys_updated_on"
    for record in _listing(pull, "incident", query, fields, display="all"):
        stored = {}
        for field, pair in record.items():
            value, shown = (pair.get("value"), pair.get("display_value"))
            stored[field] = "" if value is None else str(value)
            labels.learn(field, stored[field], "" if shown is None else str(shown))
        incidents[stored["sys_id"]] = stored
    audits: dict[str, list[dict[str, Any]]] = {}
    query = f"tablename=incident^sys_created_on>={since}^ORDERBYsys_created_on"
    for audit in _listing(pull, "sys_audit", query, AUDIT_FIELDS):
        # every field's change counts: an update that changed only a field not
        # read is still an update of the log (its values are dropped below)
        if audit["documentkey"] in incidents:
            audits.setdefault(audit["documentkey"], []).append(audit)
    labels.prepare((a["fieldname"], a["oldvalue"]) for changes in audits.values() for a in changes)
    newest = None
    for sys_id, current in incidents.items():
        number = current.get("number", "")
        # oldest first, as in the export: of two updates in the same minute the
        # later one is the incident's state
        for update in reversed(list(rebuild_updates(current, audits.get(sys_id, [])))):
            shown = {f: labels.show(number, f, v) for f, v in update.items()}
            yield export_record(shown)
        updated = current.get("sys_updated_on")
        if updated and (newest is None or updated > newest):
            newest = updated
    if newest:
        pull.advance(stream, dt.datetime.strptime(newest, API_TIME).replace(tzinfo=dt.UTC))


STREAM = next(t.file for t in load_policy("servicenow").tables)
STREAMS = {STREAM: incident_updates}


def check(pull: Pull) -> list[str]:
    """One record of each table the pull reads: the instance refuses a table
    the integration user may not read."""
    first = []
    for table, query, fields in (
        ("incident", "", "number"),
        ("sys_audit", "tablename=incident", "documentkey"),
        ("sys_choice", "name=incident", "element"),
        ("sys_user", "", "sys_id"),
        ("sys_user_group", "", "sys_id"),
    ):
        page = next(
            pull.client.paginate(
                f"/api/now/table/{table}",
                params={"sysparm_limit": 1, "sysparm_query": query, "sysparm_fields": fields},
                data_selector="result",
            ),
            [],
        )
        if table == "incident":
            first = page
    return [
        f"reachable at {pull.client.base_url}, credentials accepted, incident, sys_audit, "
        f"sys_choice, sys_user and sys_user_group readable ({len(first)} incident on the "
        "first page)",
        f"would fetch: incidents and their audited changes since {_window(pull, STREAM)} UTC",
    ]
