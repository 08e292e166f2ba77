"""HubSpot CRM API v3, as documented (developers.hubspot.com, "CRM API" reference).

- Auth: a private app's access token, `Authorization: Bearer <token>`.
- `GET /crm/v3/owners`: `limit` (at most 500), `after`; `archived=true`
  lists only the archived (deactivated) owners, the default only the active
  ones. The body: `results`, and `paging.next.after` while more remain.
- `POST /crm/v3/objects/{type}/search` (contacts, deals, calls, emails,
  meetings): `filterGroups` (OR of groups, AND of filters; operators EQ,
  NEQ, LT, LTE, GT, GTE, HAS_PROPERTY), one of `sorts`, `properties`,
  `limit` (at most 200, more is a 400), `after` (an offset as a string).
  A query reaches at most 10,000 results: no `paging.next` past it, and an
  `after` at or past it answers 400. The body has `total`. Results carry
  `id`, the asked `properties` (null when unset) plus the defaults
  (`hs_object_id`, `createdate`, `lastmodifieddate` for contacts,
  `hs_lastmodifieddate` for the others), `createdAt`, `updatedAt`,
  `archived`; never associations nor property history. Date filter values
  are epoch milliseconds (or ISO 8601).
- `POST /crm/v3/objects/{type}/batch/read`: `inputs` (`[{id}]`),
  `properties`, `propertiesWithHistory`; at most 100 inputs, 50 when a
  history is asked (as the list endpoint's page cap with history). 200
  `{status: COMPLETE, results}`, 207 with `errors` when some ids are unknown.
  A property's history is listed newest first.
- `POST /crm/v4/associations/{from}/{to}/batch/read`: `inputs` (`[{id}]`, at
  most 1000); results `{from: {id}, to: [{toObjectId, associationTypes}]}`,
  inputs without association listed under `errors` (207).
- Calls, emails and meetings are v3 objects (`hs_timestamp`,
  `hubspot_owner_id`, `hs_call_status`, `hs_call_duration`,
  `hs_meeting_outcome`, ...); the export holds them in the legacy
  engagements (v1) shape, so the simulator splits each into its v3 object
  and its associations.
- `GET /crm/v3/objects/{type}` lists a type's objects, `limit` (at most
  100), `after`, `properties` (a comma list); `archived=true` lists only the
  archived (deleted, in the recycling bin) ones, each with `archived: true`
  and `archivedAt`. Search and batch read never return an archived object
  (a batch read lists it under `errors`, as an unknown id).
- Search is eventually consistent: `hide_from_search(id)` keeps a changed
  record out of search answers for a while (a loader's overlap catches it).

Faults of this tool: `secondly_limit` (429 of the search's per-second limit,
no Retry-After), `drop_optional_properties` (unset properties and `archived`
left out of the records).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from outcomes.simulators.server import Fault, Request, Response, Simulator, latest, read_jsonl

Record = dict[str, Any]

SEARCH_MAX_LIMIT = 200
SEARCH_MAX_RESULTS = 10_000
OWNERS_MAX_LIMIT = 500
BATCH_MAX = 100
BATCH_MAX_WITH_HISTORY = 50
ASSOCIATIONS_MAX = 1000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

SEARCH = re.compile(r"^/crm/v3/objects/(?P<type>\w+)/search$")
LIST = re.compile(r"^/crm/v3/objects/(?P<type>\w+)$")
LIST_MAX_LIMIT = 100
BATCH_READ = re.compile(r"^/crm/v3/objects/(?P<type>\w+)/batch/read$")
ASSOCIATIONS = re.compile(r"^/crm/v4/associations/(?P<from>\w+)/(?P<to>\w+)/batch/read$")
DATE_PROPERTIES = {
    "createdate",
    "lastmodifieddate",
    "hs_lastmodifieddate",
    "hs_createdate",
    "hs_timestamp",
    "closedate",
}
ENGAGEMENT_TYPES = {"CALL": "calls", "EMAIL": "emails", "MEETING": "meetings"}
SINGULAR = {"calls": "call", "emails": "email", "meetings": "meeting"}


def ms_to_iso(ms: int) -> str:
    moment = EPOCH + dt.timedelta(milliseconds=int(ms))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_ms(value: Any) -> int | None:
    """A date property's value (ISO 8601 or epoch milliseconds) in epoch ms."""
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


def _error(status: int, message: str, category: str = "VALIDATION_ERROR") -> Response:
    return Response(status, {"status": "error", "message": message, "category": category})


class HubSpotSimulator(Simulator):
    tool = "hubspot"

    def __init__(self, exports: Path) -> None:
        super().__init__(exports)
        self.owners = latest(
            read_jsonl(exports / "owners.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updatedAt"),
        )
        contacts = latest(
            read_jsonl(exports / "contacts.jsonl"),
            lambda r: r.get("id"),
            lambda r: r.get("updatedAt"),
        )
        deals = latest(
            read_jsonl(exports / "deals.jsonl"), lambda r: r.get("id"), lambda r: r.get("updatedAt")
        )
        self.objects: dict[str, list[Record]] = {"contacts": contacts, "deals": deals}
        # engagements (v1 shape in the export) become v3 objects and associations
        self.associations: dict[tuple[str, str], dict[str, list[str]]] = {}
        for kind in ENGAGEMENT_TYPES.values():
            self.objects[kind] = []
        engagements = latest(
            read_jsonl(exports / "engagements.jsonl"),
            lambda r: (r.get("engagement") or {}).get("id"),
            lambda r: str((r.get("engagement") or {}).get("lastUpdated") or ""),
        )
        for record in engagements:
            self._add_engagement(record)
        # search answers leave these out (indexing lag), tests set it
        self.hidden: set[str] = set()
        self.search_max_results = SEARCH_MAX_RESULTS
        self.searches: list[tuple[str, dict]] = []  # (object type, request body)
        self.batch_reads: list[tuple[str, dict]] = []

    # -- the data ---------------------------------------------------------------------------

    def _add_engagement(self, record: Record) -> None:
        head = record.get("engagement") or {}
        kind = ENGAGEMENT_TYPES.get(str(head.get("type")))
        if kind is None:
            return
        meta = record.get("metadata") or {}
        created = ms_to_iso(head["createdAt"]) if head.get("createdAt") is not None else None
        updated = ms_to_iso(head["lastUpdated"]) if head.get("lastUpdated") is not None else None
        owner = head.get("ownerId")
        properties: Record = {
            "hs_timestamp": ms_to_iso(head["timestamp"])
            if head.get("timestamp") is not None
            else None,
            "hubspot_owner_id": str(owner) if owner is not None else None,
            "hs_createdate": created,
            "hs_lastmodifieddate": updated,
            "hs_object_id": str(head.get("id")),
        }
        if kind == "calls":
            duration = meta.get("durationMilliseconds")
            properties.update(
                hs_call_status=meta.get("status"),
                hs_call_duration=str(duration) if duration is not None else None,
                hs_call_title=meta.get("title"),
                hs_call_body=meta.get("body"),
                hs_call_to_number=meta.get("toNumber"),
                hs_call_from_number=meta.get("fromNumber"),
                hs_call_disposition=meta.get("disposition"),
            )
        elif kind == "meetings":
            start, end = meta.get("startTime"), meta.get("endTime")
            properties.update(
                hs_meeting_outcome=meta.get("meetingOutcome"),
                hs_meeting_title=meta.get("title"),
                hs_meeting_body=meta.get("body"),
                hs_internal_meeting_notes=meta.get("internalMeetingNotes"),
                hs_meeting_start_time=ms_to_iso(start) if start is not None else None,
                hs_meeting_end_time=ms_to_iso(end) if end is not None else None,
            )
        else:
            properties.update(
                hs_email_subject=meta.get("subject"),
                hs_email_text=meta.get("text"),
                hs_email_html=meta.get("html"),
                hs_email_direction="EMAIL",
            )
        object_id = str(head.get("id"))
        self.objects[kind].append(
            {
                "id": object_id,
                "properties": properties,
                "createdAt": created,
                "updatedAt": updated,
                "archived": False,
            }
        )
        links = record.get("associations") or {}
        self.associations[(kind, object_id)] = {
            "contacts": [str(i) for i in links.get("contactIds") or []],
            "deals": [str(i) for i in links.get("dealIds") or []],
        }

    def _find(self, kind: str, object_id: str) -> Record:
        for record in self.objects[kind]:
            if record.get("id") == str(object_id):
                return record
        raise KeyError(object_id)

    def update_contact(self, contact_id: str, at: str, **properties: Any) -> None:
        """A change a test makes between two pulls: the contact's modified date moves."""
        record = self._find("contacts", contact_id)
        record["properties"].update(properties, lastmodifieddate=at)
        record["updatedAt"] = at

    def move_deal(self, deal_id: str, stage: str, at: str) -> None:
        """A deal enters a new stage at `at` (its history grows, newest first)."""
        record = self._find("deals", deal_id)
        history = record.setdefault("propertiesWithHistory", {}).setdefault("dealstage", [])
        history.insert(0, {"value": stage, "timestamp": at, "sourceType": "CRM_UI"})
        record["properties"].update(dealstage=stage, hs_lastmodifieddate=at)
        record["updatedAt"] = at

    def log_call(self, call_id: int, contact_id: int, owner_id: int, at_ms: int) -> None:
        """A rep logs a new call on a contact."""
        self._add_engagement(
            {
                "engagement": {
                    "id": call_id,
                    "createdAt": at_ms,
                    "lastUpdated": at_ms,
                    "ownerId": owner_id,
                    "type": "CALL",
                    "timestamp": at_ms,
                },
                "associations": {"contactIds": [contact_id], "dealIds": []},
                "metadata": {"status": "COMPLETED", "durationMilliseconds": 60_000},
            }
        )

    def archive(self, kind: str, object_id: str, at: str) -> None:
        """Someone deletes the object: it moves to the recycling bin (archived)."""
        record = self._find(kind, object_id)
        record.update(archived=True, archivedAt=at, updatedAt=at)

    def hide_from_search(self, object_id: str) -> None:
        self.hidden.add(str(object_id))

    # -- routes -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path == "/crm/v3/owners":
            return self._owners(request)
        if request.method == "GET" and (match := LIST.match(request.path)):
            return self._list(match["type"], request)
        if request.method == "POST":
            body = request.body if isinstance(request.body, dict) else {}
            if match := SEARCH.match(request.path):
                return self._search(match["type"], body)
            if match := BATCH_READ.match(request.path):
                return self._batch_read(match["type"], body)
            if match := ASSOCIATIONS.match(request.path):
                return self._associations(match["from"], match["to"], body)
        raise LookupError(request.path)

    def _owners(self, request: Request) -> Response:
        limit = min(max(request.int_arg("limit", 100), 1), OWNERS_MAX_LIMIT)
        after = request.int_arg("after", 0)
        archived = request.arg("archived", "false") == "true"
        items = [o for o in self.owners if bool(o.get("archived")) == archived]
        if request.arg("email"):
            items = [o for o in items if o.get("email") == request.arg("email")]
        body: Record = {"results": items[after : after + limit]}
        if after + limit < len(items):
            nxt = str(after + limit)
            body["paging"] = {
                "next": {
                    "after": nxt,
                    "link": self.url(
                        "/crm/v3/owners", limit=limit, after=nxt, archived=str(archived).lower()
                    ),
                }
            }
        return Response(200, body)

    def _list(self, kind: str, request: Request) -> Response:
        if kind not in self.objects:
            return _error(400, f"Unable to infer object type from: {kind}")
        limit = min(max(request.int_arg("limit", 10), 1), LIST_MAX_LIMIT)
        after = request.int_arg("after", 0)
        archived = request.arg("archived", "false") == "true"
        properties = [p for p in (request.arg("properties") or "").split(",") if p] or None
        items = sorted(
            (r for r in self.objects[kind] if bool(r.get("archived")) == archived),
            key=lambda r: int(r["id"]),
        )
        body: Record = {
            "results": [self._shape(kind, r, properties) for r in items[after : after + limit]]
        }
        if after + limit < len(items):
            nxt = str(after + limit)
            body["paging"] = {
                "next": {"after": nxt, "link": self.url(request.path, after=nxt, limit=limit)}
            }
        return Response(200, body)

    def _modified(self, kind: str) -> str:
        return "lastmodifieddate" if kind == "contacts" else "hs_lastmodifieddate"

    def _shape(self, kind: str, record: Record, properties: list[str] | None) -> Record:
        """A record as search and batch read return it: the asked properties and the defaults."""
        held = record.get("properties") or {}
        if properties is None:
            properties = [
                p
                for p in held
                if p in {"email", "firstname", "lastname", "dealname", "dealstage", "pipeline"}
            ]
        names = [*properties, "hs_object_id", "createdate", self._modified(kind)]
        if kind in SINGULAR:
            names = [n if n != "createdate" else "hs_createdate" for n in names]
        out = {k: v for k, v in record.items() if k not in {"properties", "propertiesWithHistory"}}
        out.pop("associations", None)
        out["properties"] = {name: held.get(name) for name in names}
        return out

    def _matches(self, record: Record, groups: list[Record]) -> bool:
        if not groups:
            return True
        held = record.get("properties") or {}
        for group in groups:
            if all(self._filter(held, f) for f in group.get("filters") or []):
                return True
        return False

    def _filter(self, held: Record, spec: Record) -> bool:
        name, operator, value = spec.get("propertyName"), spec.get("operator"), spec.get("value")
        actual = held.get(name)
        if operator == "HAS_PROPERTY":
            return actual not in (None, "")
        if operator == "NOT_HAS_PROPERTY":
            return actual in (None, "")
        if actual in (None, ""):
            return False
        if name in DATE_PROPERTIES:
            left, right = to_ms(actual), to_ms(value)
        elif name == "hs_object_id":
            left, right = int(actual), int(value)
        else:
            left, right = str(actual), str(value)
        if left is None or right is None:
            return False
        return {
            "EQ": left == right,
            "NEQ": left != right,
            "LT": left < right,
            "LTE": left <= right,
            "GT": left > right,
            "GTE": left >= right,
        }.get(str(operator), False)

    def _search(self, kind: str, body: Record) -> Response:
        if kind not in self.objects:
            return _error(400, f"Unable to infer object type from: {kind}")
        self.searches.append((kind, body))
        limit = int(body.get("limit") or 10)
        if limit > SEARCH_MAX_LIMIT:
            return _error(400, f"limit must be less than or equal to {SEARCH_MAX_LIMIT}")
        after = int(body.get("after") or 0)
        cap = self.search_max_results
        if after >= cap:
            return _error(400, f"The search API returns at most {cap} results per query")
        items = [
            r
            for r in self.objects[kind]
            if r.get("id") not in self.hidden
            and not r.get("archived")
            and self._matches(r, body.get("filterGroups") or [])
        ]
        for sort in (body.get("sorts") or [])[:1]:
            name = sort.get("propertyName") if isinstance(sort, dict) else str(sort)
            descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"

            def key(r: Record, name: str = name) -> tuple:
                value = (r.get("properties") or {}).get(name)
                ordinal = to_ms(value) if name in DATE_PROPERTIES else value
                return (ordinal is None, ordinal if ordinal is not None else 0, int(r["id"]))

            items.sort(key=key, reverse=descending)
        total = len(items)
        reach = min(total, cap)
        page = items[after : min(after + limit, reach)]
        answer: Record = {
            "total": total,
            "results": [self._shape(kind, r, body.get("properties")) for r in page],
        }
        if after + limit < reach:
            answer["paging"] = {"next": {"after": str(after + limit), "link": None}}
        return Response(200, answer)

    def _batch_read(self, kind: str, body: Record) -> Response:
        if kind not in self.objects:
            return _error(400, f"Unable to infer object type from: {kind}")
        self.batch_reads.append((kind, body))
        inputs = body.get("inputs") or []
        history = body.get("propertiesWithHistory") or []
        cap = BATCH_MAX_WITH_HISTORY if history else BATCH_MAX
        if len(inputs) > cap:
            return _error(400, f"Batch input cannot exceed {cap} inputs")
        by_id = {r.get("id"): r for r in self.objects[kind] if not r.get("archived")}
        results, missing = [], []
        for item in inputs:
            record = by_id.get(str(item.get("id")))
            if record is None:
                missing.append(str(item.get("id")))
                continue
            shaped = self._shape(kind, record, body.get("properties") or [])
            if history:
                held = record.get("propertiesWithHistory") or {}
                shaped["propertiesWithHistory"] = {name: held.get(name, []) for name in history}
            results.append(shaped)
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        answer: Record = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": now,
            "completedAt": now,
        }
        if missing:
            answer["numErrors"] = 1
            answer["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": "Could not get some objects, they may be deleted or not exist.",
                    "context": {"ids": missing},
                }
            ]
            return Response(207, answer)
        return Response(200, answer)

    def _associations(self, source: str, target: str, body: Record) -> Response:
        inputs = body.get("inputs") or []
        if len(inputs) > ASSOCIATIONS_MAX:
            return _error(400, f"Batch input cannot exceed {ASSOCIATIONS_MAX} inputs")
        if source not in SINGULAR or target not in {"contacts", "deals"}:
            return _error(400, f"No association between {source} and {target}")
        type_id = {"contacts": 194, "deals": 206}[target]
        results, alone = [], []
        for item in inputs:
            object_id = str(item.get("id"))
            linked = self.associations.get((source, object_id), {}).get(target) or []
            if not linked:
                alone.append(object_id)
                continue
            results.append(
                {
                    "from": {"id": object_id},
                    "to": [
                        {
                            "toObjectId": int(to),
                            "associationTypes": [
                                {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}
                            ],
                        }
                        for to in linked
                    ],
                }
            )
        answer: Record = {"status": "COMPLETE", "results": results}
        if alone:
            answer["numErrors"] = len(alone)
            answer["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"No {target} is associated with {SINGULAR[source]} {object_id}.",
                    "context": {"fromObjectId": [object_id]},
                }
                for object_id in alone
            ]
            return Response(207, answer)
        return Response(200, answer)

    # -- faults of this tool ------------------------------------------------------------------

    def tool_fault(self, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "secondly_limit":
            return Response(
                429,
                {
                    "status": "error",
                    "message": "You have reached your secondly limit.",
                    "errorType": "RATE_LIMIT",
                    "policyName": "SECONDLY",
                },
            )
        if fault.kind == "drop_optional_properties":
            response = self.handle(request)
            if isinstance(response.body, dict):
                for record in response.body.get("results") or []:
                    record.pop("archived", None)
                    properties = record.get("properties") or {}
                    for name in [k for k, v in properties.items() if v is None]:
                        properties.pop(name)
            return response
        return None


SIMULATOR = HubSpotSimulator
