"""HubSpot CRM API v3: owners, contacts (leads), deals with their stage history,
and the calls, emails and meetings that speed to lead needs, pulled incrementally.

Settings (`outcomes.yml`, `sources.hubspot.api`): `base_url` (default
https://api.hubapi.com), `start_date` (first backfill: records modified
since), optionally `engagement_types` (default `[calls, emails, meetings]`).
Credentials: a private app's access token, `[sources.hubspot] access_token`
in `.dlt/secrets.toml` or `SOURCES__HUBSPOT__ACCESS_TOKEN`.

- Owners: `GET /crm/v3/owners`, active then archived (`archived=true`), in
  full every run (a few hundred at most).
- Contacts, deals, calls, emails, meetings: `POST /crm/v3/objects/{type}/search`
  filtered on the last modified date (`lastmodifieddate` for contacts,
  `hs_lastmodifieddate` for the others) `GTE` the cursor less the overlap,
  sorted ascending. A search query reaches at most 10,000 results, so when
  a query holds more, the next query starts at the last modified date seen
  (records already seen at that very millisecond are skipped).
- Deals' stage history is not in search answers: the ids found are read in
  batches of 50 with `propertiesWithHistory=dealstage` (`batch/read`).
- Calls, emails and meetings are v3 objects; their contacts and deals come
  from the v4 associations batch read. Each is reassembled into the legacy
  engagement shape the export holds (`engagement`, `associations`,
  `metadata`), from the few properties the policy reads: no subject, body,
  note or phone number is ever asked for.
- Cursors: the newest modified date seen, per object type, in dlt state.
- Deletions: a deleted contact, deal, call, email or meeting leaves search
  and moves to HubSpot's recycling bin, which `GET /crm/v3/objects/{type}?archived=true`
  lists (for 90 days). Once every `deletion_sweep_hours` (default 24; 0:
  every pull; -1: never) a pull reads that listing (100 a page) and lands
  each archived object it has not landed before, with `archived: true`
  (engagements: `active: false`), replacing its row; staging leaves them
  out. The ids already landed as archived are kept in the stream's state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from outcomes.config import ApiConfig
from pipelines.common.api import Pull, format_cursor, secret
from pipelines.common.http import ApiClient, ApiError

DEFAULT_BASE_URL = "https://api.hubapi.com"
SEARCH_LIMIT = 200  # the search's page size cap
SEARCH_MAX_RESULTS = 10_000  # what one search query reaches
HISTORY_BATCH = 50  # batch read with propertiesWithHistory
ASSOCIATION_BATCH = 1000
OWNERS_LIMIT = 100
ARCHIVED_LIMIT = 100  # the list endpoint's page cap
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

CONTACT_PROPERTIES = [
    "email",
    "lifecyclestage",
    "hs_lead_status",
    "hs_analytics_source",
    "hubspot_owner_id",
    "createdate",
    "lastmodifieddate",
]
DEAL_PROPERTIES = [
    "pipeline",
    "dealstage",
    "amount",
    "hs_manual_forecast_category",
    "hubspot_owner_id",
    "closedate",
    "createdate",
    "hs_lastmodifieddate",
]
ENGAGEMENT_PROPERTIES = {
    "calls": ["hs_call_status", "hs_call_duration"],
    "emails": [],
    "meetings": ["hs_meeting_outcome"],
}
ENGAGEMENT_TYPE = {"calls": "CALL", "emails": "EMAIL", "meetings": "MEETING"}
COMMON_ENGAGEMENT = ["hs_timestamp", "hubspot_owner_id", "hs_createdate", "hs_lastmodifieddate"]


def client(api: ApiConfig) -> ApiClient:
    token = secret("hubspot", "access_token")
    return ApiClient(
        "hubspot",
        api.base_url or DEFAULT_BASE_URL,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )


def to_ms(value: Any) -> int | None:
    """An ISO 8601 date (or epoch ms) as epoch milliseconds, exactly."""
    if value is None or value == "":
        return None
    text = str(value)
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return (parsed - EPOCH) // dt.timedelta(milliseconds=1)


def from_ms(ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=ms)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# -- owners -------------------------------------------------------------------------------------


def owners(pull: Pull) -> Iterator[dict[str, Any]]:
    for archived in ("false", "true"):
        for page in pull.client.paginate(
            "/crm/v3/owners",
            params={"limit": OWNERS_LIMIT, "archived": archived},
            paginator=JSONResponseCursorPaginator(
                cursor_path="paging.next.after", cursor_param="after"
            ),
            data_selector="results",
        ):
            yield from page


# -- search, windowed by the modified date --------------------------------------------------------


def _modified_property(object_type: str) -> str:
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


def search(
    pull: Pull, object_type: str, properties: list[str], cursor: str
) -> Iterator[list[dict[str, Any]]]:
    """Pages of the records of a type modified since the cursor (less the overlap),
    oldest change first; moves the cursor to the newest change seen."""
    modified = _modified_property(object_type)
    since = pull.since(cursor)
    start = (since - EPOCH) // dt.timedelta(milliseconds=1) if since else 0
    seen_at_start: set[str] = set()
    path = f"/crm/v3/objects/{object_type}/search"
    while True:
        body: dict[str, Any] = {
            "filterGroups": [
                {"filters": [{"propertyName": modified, "operator": "GTE", "value": str(start)}]}
            ],
            "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
            "properties": properties,
            "limit": SEARCH_LIMIT,
        }
        fetched, total, last_ms = 0, 0, None
        at_last: set[str] = set()
        after: str | None = None
        while True:
            answer = pull.client.post_json(path, {**body, **({"after": after} if after else {})})
            total = int(answer.get("total") or 0)
            page = []
            for record in answer.get("results") or []:
                fetched += 1
                ms = to_ms((record.get("properties") or {}).get(modified))
                if ms is None:
                    ms = to_ms(record.get("updatedAt"))
                if ms == start and record.get("id") in seen_at_start:
                    continue  # seen by the previous query of this window
                record.setdefault("archived", False)  # search finds live objects only
                if ms is not None:
                    if ms != last_ms:
                        last_ms, at_last = ms, set()
                    at_last.add(str(record.get("id")))
                page.append(record)
            if page:
                yield page
            if last_ms is not None:
                pull.advance(cursor, from_ms(last_ms))
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if not after or (str(after).isdigit() and int(after) >= SEARCH_MAX_RESULTS):
                break  # the last page, or the next one would pass what a query reaches
        if fetched >= total or last_ms is None:
            return
        if last_ms == start:
            raise ApiError(
                pull.source,
                f"POST {path}",
                None,
                f"more than one query's worth of {object_type} modified at the same millisecond",
            )
        # the query held more than a search reaches: go on from the last change seen
        start, seen_at_start = last_ms, at_last


# -- contacts and deals ----------------------------------------------------------------------------


def archived(pull: Pull, object_type: str, properties: list[str]) -> Iterator[dict[str, Any]]:
    """The objects of a type deleted (archived) since the last sweep, not landed yet."""
    state = pull.stream_state(object_type)
    landed = set(state.get("archived") or [])
    listed: list[str] = []
    for page in pull.client.paginate(
        f"/crm/v3/objects/{object_type}",
        params={"limit": ARCHIVED_LIMIT, "archived": "true", "properties": ",".join(properties)},
        paginator=JSONResponseCursorPaginator(
            cursor_path="paging.next.after", cursor_param="after"
        ),
        data_selector="results",
    ):
        for record in page:
            object_id = str(record.get("id"))
            listed.append(object_id)
            if object_id not in landed:
                yield {**record, "archived": True}
    # what the recycling bin still holds: an id it no longer lists is gone for good
    state["archived"] = sorted(set(listed))
    pull.mark_swept(object_type)


def contacts(pull: Pull) -> Iterator[dict[str, Any]]:
    sweep = pull.sweep_due("contacts")  # before the search moves the cursor
    for page in search(pull, "contacts", CONTACT_PROPERTIES, "contacts"):
        yield from page
    if sweep:
        yield from archived(pull, "contacts", CONTACT_PROPERTIES)


def deals(pull: Pull) -> Iterator[dict[str, Any]]:
    sweep = pull.sweep_due("deals")
    yield from _searched_deals(pull)
    if sweep:
        yield from archived(pull, "deals", DEAL_PROPERTIES)


def _searched_deals(pull: Pull) -> Iterator[dict[str, Any]]:
    pending: list[str] = []
    for page in search(pull, "deals", ["hs_lastmodifieddate"], "deals"):
        pending.extend(str(r["id"]) for r in page if r.get("id") is not None)
        while len(pending) >= HISTORY_BATCH:
            yield from _read_deals(pull, pending[:HISTORY_BATCH])
            pending = pending[HISTORY_BATCH:]
    if pending:
        yield from _read_deals(pull, pending)


def _read_deals(pull: Pull, ids: list[str]) -> Iterator[dict[str, Any]]:
    answer = pull.client.post_json(
        "/crm/v3/objects/deals/batch/read",
        {
            "inputs": [{"id": i} for i in dict.fromkeys(ids)],
            "properties": DEAL_PROPERTIES,
            "propertiesWithHistory": ["dealstage"],
        },
    )
    for record in answer.get("results") or []:
        record.setdefault("archived", False)  # a batch read finds live objects only
        yield record


# -- engagements: calls, emails, meetings ----------------------------------------------------------


def _associated(pull: Pull, object_type: str, target: str, ids: list[str]) -> dict[str, list[int]]:
    """The ids of `target` records associated with each object (v4 batch read, paged)."""
    out: dict[str, list[int]] = {}
    inputs: list[dict[str, str]] = [{"id": i} for i in ids]
    while inputs:
        batch, inputs = inputs[:ASSOCIATION_BATCH], inputs[ASSOCIATION_BATCH:]
        answer = pull.client.post_json(
            f"/crm/v4/associations/{object_type}/{target}/batch/read", {"inputs": batch}
        )
        for result in answer.get("results") or []:
            source = str((result.get("from") or {}).get("id"))
            for link in result.get("to") or []:
                linked = _int(link.get("toObjectId"))
                if linked is not None:
                    out.setdefault(source, []).append(linked)
            after = ((result.get("paging") or {}).get("next") or {}).get("after")
            if after:  # more than a page of associations for this object
                inputs.append({"id": source, "after": after})
    return out


def _engagement(
    object_type: str, record: dict[str, Any], contacts_of: dict, deals_of: dict
) -> dict[str, Any]:
    """A v3 call, email or meeting in the legacy engagement shape of the export."""
    props = record.get("properties") or {}
    object_id = str(record.get("id"))
    created = to_ms(record.get("createdAt") or props.get("hs_createdate"))
    updated = to_ms(record.get("updatedAt") or props.get("hs_lastmodifieddate"))
    metadata: dict[str, Any] = {}
    if object_type == "calls":
        metadata = {
            "status": props.get("hs_call_status"),
            "durationMilliseconds": _int(props.get("hs_call_duration")),
        }
    elif object_type == "meetings":
        metadata = {"meetingOutcome": props.get("hs_meeting_outcome")}
    return {
        "engagement": {
            "id": _int(object_id),
            "active": not record.get("archived", False),
            "createdAt": created,
            "lastUpdated": updated,
            "ownerId": _int(props.get("hubspot_owner_id")),
            "type": ENGAGEMENT_TYPE[object_type],
            "timestamp": to_ms(props.get("hs_timestamp")),
        },
        "associations": {
            "contactIds": contacts_of.get(object_id, []),
            "dealIds": deals_of.get(object_id, []),
        },
        "metadata": metadata,
    }


def engagements(pull: Pull) -> Iterator[dict[str, Any]]:
    chosen = pull.setting("engagement_types") or list(ENGAGEMENT_TYPE)
    for object_type in chosen:
        if object_type not in ENGAGEMENT_TYPE:
            raise ApiError(
                pull.source,
                "api.engagement_types",
                None,
                f"{object_type!r} is not one of {sorted(ENGAGEMENT_TYPE)}",
            )
        properties = COMMON_ENGAGEMENT + ENGAGEMENT_PROPERTIES[object_type]
        sweep = pull.sweep_due(object_type)
        for page in search(pull, object_type, properties, object_type):
            ids = [str(r.get("id")) for r in page]
            contacts_of = _associated(pull, object_type, "contacts", ids)
            deals_of = _associated(pull, object_type, "deals", ids)
            for record in page:
                yield _engagement(object_type, record, contacts_of, deals_of)
        if sweep:  # deleted: its associations went with it
            for record in archived(pull, object_type, properties):
                yield _engagement(object_type, record, {}, {})


STREAMS = {
    "owners.jsonl": owners,
    "contacts.jsonl": contacts,
    "deals.jsonl": deals,
    "engagements.jsonl": engagements,
}


def check(pull: Pull) -> list[str]:
    first = pull.client.get_json("/crm/v3/owners", params={"limit": 1})
    found = len(first.get("results") or [])
    # a search proves the CRM object scopes (crm.objects.contacts.read, ...)
    scopes = []
    for object_type in (
        "contacts",
        "deals",
        *(pull.setting("engagement_types") or ENGAGEMENT_TYPE),
    ):
        pull.client.post_json(f"/crm/v3/objects/{object_type}/search", {"limit": 1})
        scopes.append(object_type)
    lines = [
        f"reachable at {pull.client.base_url}, access token accepted "
        f"({found} owner on the first page; search allowed on {', '.join(scopes)})"
    ]
    parts = []
    for object_type in scopes:
        since = pull.since(object_type)
        parts.append(f"{object_type} modified since " + (format_cursor(since) if since else "ever"))
    lines.append("would fetch: owners (all); " + "; ".join(parts))
    lines.append(pull.sweep_note("contacts, deals and engagements (the recycling bin)"))
    return lines
