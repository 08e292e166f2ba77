"""HR roster as a SCIM 2.0 /Users export (the only source that knows teams)."""

from __future__ import annotations

import numpy as np
import orjson

from .clock import DAY, SCHEDULES, TIMEZONES, day_to_epoch, iso_z
from .org import FUNCTION_NAMES, Org
from .writer import Record, ToolOutput

SALT = 7
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCHEDULE = "urn:outcomes:params:scim:schemas:extension:schedule:1.0:User"
# Outcomes' SCIM team extension: since when the person is on their team.
TEAM = "urn:outcomes:params:scim:schemas:extension:team:1.0:User"
SCHEMAS = ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE, SCHEDULE]
LOCALES = ("de-DE", "en-GB", "en-US", "en-US", "en-IN", "en-AU")  # by TIMEZONES index
CITIES = ("Berlin", "London", "New York", "San Francisco", "Bengaluru", "Sydney")
COUNTRIES = ("DE", "GB", "US", "US", "IN", "AU")
BASE = "https://hr.acme.example/scim/v2/Users/"


def _older(rec: Record, rng: np.random.Generator) -> Record | None:
    meta = rec["meta"]
    if meta["lastModified"] == meta["created"] or TEAM in rec:
        return None  # the mover's older version is written with its old team
    # The previous version: before the last change (often a title or a
    # manager change), so the loader must keep the newest by lastModified.
    meta["lastModified"] = meta["created"]
    rec["title"] = rec["title"].replace("Senior ", "")
    return rec


def generate(org: Org, out: ToolOutput) -> None:
    rng = np.random.default_rng([org.seed, SALT])
    n = org.people
    start_secs = np.array([day_to_epoch(d) for d in org.start_date], dtype=np.int64)
    created = start_secs - 14 * DAY + rng.integers(8 * 3600, 17 * 3600, n)
    lo = np.maximum(created + DAY, org.start - 120 * DAY)
    modified = lo + (rng.random(n) * np.maximum(org.end - DAY - lo, 0)).astype(np.int64)
    modified = np.where(rng.random(n) < 0.1, created, modified)  # never edited since creation
    leavers = ~org.is_active
    modified[leavers] = org.active_until[leavers] + 3600
    created_s, modified_s = iso_z(created), iso_z(modified)
    phones = rng.integers(1_000_000, 9_999_999, n).tolist()
    versions = (modified % 1_000_000).tolist()

    w = out.open("users.jsonl", older=_older)
    records = []
    for p in range(n):
        mgr = int(org.manager[p])
        team = org.teams[int(org.team[p])]
        sched = SCHEDULES[int(org.sched[p])]
        enterprise = {
            "employeeNumber": f"E{10000 + p}",
            "organization": "Acme",
            "division": FUNCTION_NAMES[int(org.function[p])],
            "department": team.name,
            "costCenter": f"CC-{100 + team.index}",
            "startDate": org.start_date[p].isoformat(),
        }
        if mgr >= 0:
            enterprise["manager"] = {
                "value": org.scim_id[mgr],
                "$ref": BASE + org.scim_id[mgr],
                "displayName": org.name(mgr),
            }
        tz = int(org.tz[p])
        records.append(
            {
                "schemas": SCHEMAS,
                "id": org.scim_id[p],
                "externalId": f"hris-{100000 + p}",
                "userName": org.email[p],
                "name": {
                    "givenName": org.first[p],
                    "familyName": org.last[p],
                    "formatted": org.name(p),
                },
                "displayName": org.name(p),
                "emails": [{"value": org.email[p], "type": "work", "primary": True}],
                "phoneNumbers": [{"value": f"+1 555 {phones[p]}", "type": "work"}],
                "addresses": [
                    {
                        "type": "work",
                        "locality": CITIES[tz],
                        "country": COUNTRIES[tz],
                        "primary": True,
                    }
                ],
                "photos": [
                    {
                        "value": f"https://hr.acme.example/photos/{org.scim_id[p]}.jpg",
                        "type": "photo",
                    }
                ],
                "title": org.title[p],
                "timezone": TIMEZONES[tz],
                "locale": LOCALES[tz],
                "active": bool(org.is_active[p]),
                ENTERPRISE: enterprise,
                SCHEDULE: {
                    "workDays": sched.work_days,
                    "workStart": sched.work_start,
                    "workEnd": sched.work_end,
                },
                "meta": {
                    "resourceType": "User",
                    "created": created_s[p],
                    "lastModified": modified_s[p],
                    "location": BASE + org.scim_id[p],
                    "version": f'W/"{versions[p]}"',
                },
            }
        )
    if org.mover >= 0:
        records.append(_plant_move(org, records[org.mover], out))
    w.write(records)


def _plant_move(org: Org, current: Record, out: ToolOutput) -> Record:
    """The mover (outcomes.demo.org): their record says since when they are on
    their team (the HRIS's effective date, our SCIM team extension) and was
    modified that morning; the version before, in the old team, follows in
    the file (a roster export's history: both land in raw_roster.user_versions)."""
    p, moved_on = org.mover, org.moved_on
    assert moved_on is not None
    old_team = org.teams[org.mover_from_team]
    new_team = org.teams[int(org.team[p])]
    moved_at = day_to_epoch(moved_on) + 9 * 3600
    current["schemas"] = [*SCHEMAS, TEAM]
    current[TEAM] = {"teamSince": moved_on.isoformat()}
    current["meta"]["lastModified"] = iso_z(np.array([moved_at]))[0]
    older = orjson.loads(orjson.dumps(current))
    older[TEAM] = {"teamSince": org.start_date[p].isoformat()}
    older[ENTERPRISE]["department"] = old_team.name
    older[ENTERPRISE]["costCenter"] = f"CC-{100 + old_team.index}"
    if "manager" in older[ENTERPRISE]:
        boss = org.scim_id[old_team.manager]
        older[ENTERPRISE]["manager"] = {"value": boss, "$ref": BASE + boss}
    older["meta"]["lastModified"] = older["meta"]["created"]
    out.planted["team_move"] = {
        "email": org.email[p],
        "from_team": old_team.name,
        "to_team": new_team.name,
        "moved_on": moved_on.isoformat(),
        "note": "events before moved_on count for from_team, from it on for to_team",
    }
    return older
