"""ServiceNow incidents through the REST Table API, as an incident event log.

The export this source reads (`policy.yml`) is an incident event log: one
row per update of an incident. The Table API holds each incident's current
state; its history is in `sys_audit` (one row per changed field, with the
record's update count after the change, `record_checkpoint`). Each run:

1. asks for incidents updated since the cursor less the overlap
   (`sys_updated_on>=...^ORDERBYsys_updated_on`, display values, paged by
   the `Link` header);
2. asks for their field changes in the same window
   (`sys_audit`: `tablename=incident^sys_created_on>=...`);
3. rebuilds every update since the cursor: the current state, then each
   earlier update by undoing the later changes (`oldvalue`), newest first;
   each rebuilt update is one event log record in the export's shape.

An update that changed no audited field leaves no trace in sys_audit and
cannot be rebuilt (only its successor is seen). Settings: `base_url` (the
instance, https://INSTANCE.service-now.com), `start_date`. Credentials:
`[sources.servicenow] username` and `password` (basic auth of an
integration user with read access to `incident` and `sys_audit`). Its
profile's time zone must be UTC: the Table API shows dates in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from dlt.sources.helpers.rest_client.auth import HttpBasicAuth
from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator

from outcomes.config import ApiConfig
from outcomes.errors import OutcomesError
from pipelines.common.api import Pull, secret
from pipelines.common.http import ApiClient
from pipelines.common.policy import load_policy

PAGE = 1_000
API_TIME = "%Y-%m-%d %H:%M:%S"
EXPORT_TIME = "%d-%m-%Y %H:%M"
TABLE_TO_EXPORT = {
    "sys_updated_on": "sys_updated_at",
    "sys_created_on": "sys_created_at",
    "close_code": "closed_code",
}
TIME_FIELDS = {"opened_at", "sys_created_on", "sys_updated_on", "resolved_at", "closed_at"}
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


def _listing(pull: Pull, table: str, query: str) -> Iterator[dict[str, Any]]:
    params = {
        "sysparm_query": query,
        "sysparm_display_value": "true",
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


def _export_time(value: str) -> str:
    try:
        return dt.datetime.strptime(value, API_TIME).strftime(EXPORT_TIME)
    except ValueError:
        return value


def export_record(state: dict[str, Any]) -> dict[str, Any]:
    """One update of an incident in the event log export's shape."""
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
    """The incident after each audited update, newest first (and the current state)."""
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
        version = dict(state)
        version["sys_mod_count"] = str(checkpoint)
        version["sys_updated_on"] = changes[0]["sys_created_on"]
        version["sys_updated_by"] = changes[0]["user"]
        yield version
        for change in changes:
            state[change["fieldname"]] = change["oldvalue"]


def incident_updates(pull: Pull) -> Iterator[dict[str, Any]]:
    stream = STREAM
    since = _window(pull, stream)
    incidents = {
        r["sys_id"]: r
        for r in _listing(pull, "incident", f"sys_updated_on>={since}^ORDERBYsys_updated_on")
    }
    audits: dict[str, list[dict[str, Any]]] = {}
    query = f"tablename=incident^sys_created_on>={since}^ORDERBYsys_created_on"
    for audit in _listing(pull, "sys_audit", query):
        audits.setdefault(audit["documentkey"], []).append(audit)
    newest = None
    for sys_id, current in incidents.items():
        # oldest first, as in the export: of two updates in the same minute the
        # later one is the incident's state
        for update in reversed(list(rebuild_updates(current, audits.get(sys_id, [])))):
            yield export_record(update)
        updated = current.get("sys_updated_on")
        if updated and (newest is None or updated > newest):
            newest = updated
    if newest:
        pull.advance(stream, dt.datetime.strptime(newest, API_TIME).replace(tzinfo=dt.UTC))


STREAM = next(t.file for t in load_policy("servicenow").tables)
STREAMS = {STREAM: incident_updates}


def check(pull: Pull) -> list[str]:
    first = next(
        pull.client.paginate(
            "/api/now/table/incident",
            params={"sysparm_limit": 1, "sysparm_fields": "number"},
            data_selector="result",
        ),
        [],
    )
    next(
        pull.client.paginate(
            "/api/now/table/sys_audit",
            params={"sysparm_limit": 1, "sysparm_query": "tablename=incident"},
            data_selector="result",
        ),
        [],
    )
    return [
        f"reachable at {pull.client.base_url}, credentials accepted, incident and sys_audit "
        f"readable ({len(first)} incident on the first page)",
        f"would fetch: incidents and their audited changes since {_window(pull, STREAM)} UTC",
    ]
