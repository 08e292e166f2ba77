"""A SCIM 2.0 service provider's `/Users` (RFC 7644), as Entra ID's SCIM API
and HRIS SCIM endpoints serve it.

- Auth: `Authorization: Bearer <token>`; a failure answers a SCIM error
  (`urn:ietf:params:scim:api:messages:2.0:Error`, `status`, `detail`).
- `GET /Users?startIndex=&count=`: 1-based `startIndex` (below 1 is read as
  1), `count` capped by the server (`max_count`, 100 here as Entra ID's; a
  negative count is 0). The answer is a ListResponse: `totalResults`,
  `startIndex`, `itemsPerPage` (what this page holds), `Resources`.
- `filter`: only `meta.lastModified gt "<time>"` (and `ge`); any other
  filter is a 400 `invalidFilter`, as servers that support few filters do.
  `filtering = False` plays a server without filter support (a 400 for any
  filter).
- `GET /ServiceProviderConfig`: what the server supports.
- Faults: `expired_token` answers 401 with a SCIM error once.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from outcomes.simulators.server import (
    Fault,
    Request,
    Response,
    Simulator,
    iso,
    latest,
    parse_time,
    read_jsonl,
)

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
FILTER = re.compile(r'^\s*meta\.lastModified\s+(gt|ge)\s+"([^"]+)"\s*$', re.IGNORECASE)


def scim_error(status: int, detail: str, scim_type: str | None = None) -> Response:
    body = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return Response(status, body)


class RosterSimulator(Simulator):
    tool = "roster"
    max_count = 100
    filtering = True

    def __init__(self, exports: Path, now: dt.datetime | None = None) -> None:
        super().__init__(exports)
        self.now = now or dt.datetime.now(dt.UTC)
        self.users = latest(
            read_jsonl(exports / "users.jsonl"),
            lambda r: r.get("id"),
            lambda r: (r.get("meta") or {}).get("lastModified"),
        )

    def update_user(self, user_id: str, modified: str | None = None, **changes: object) -> None:
        """A change in the directory between two pulls: `meta.lastModified` moves."""
        for record in self.users:
            if record.get("id") == user_id:
                record.update(changes)
                record["meta"] = {**record["meta"], "lastModified": modified or iso(self.now)}
                return
        raise KeyError(user_id)

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization", "") == f"Bearer {self.token}"

    def tool_fault(self, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "expired_token":
            return scim_error(401, "The access token has expired.")
        return None

    def handle(self, request: Request) -> Response:
        if request.path == "/Users":
            return self._list(request)
        if request.path in {"/ServiceProviderConfig", "/serviceproviderconfig"}:
            return Response(
                200,
                {
                    "schemas": [CONFIG],
                    "patch": {"supported": False},
                    "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                    "filter": {"supported": self.filtering, "maxResults": self.max_count},
                    "changePassword": {"supported": False},
                    "sort": {"supported": False},
                    "etag": {"supported": False},
                    "authenticationSchemes": [
                        {"type": "oauthbearertoken", "name": "OAuth Bearer Token"}
                    ],
                },
            )
        raise LookupError(request.path)

    def _list(self, request: Request) -> Response:
        items = self.users
        where = request.arg("filter")
        if where:
            match = FILTER.match(where) if self.filtering else None
            moment = parse_time(match.group(2)) if match else None
            if moment is None:
                return scim_error(400, "The specified filter is not supported.", "invalidFilter")
            strict = match.group(1).lower() == "gt"
            items = [
                r
                for r in items
                if (t := parse_time((r.get("meta") or {}).get("lastModified"))) is not None
                and (t > moment if strict else t >= moment)
            ]
        start = max(request.int_arg("startIndex", 1), 1)
        count = min(max(request.int_arg("count", self.max_count), 0), self.max_count)
        page = items[start - 1 : start - 1 + count]
        body = {
            "schemas": [LIST],
            "totalResults": len(items),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": page,
        }
        return Response(200, body, {"Content-Type": "application/scim+json"})


SIMULATOR = RosterSimulator
