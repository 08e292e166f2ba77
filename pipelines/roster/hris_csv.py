"""An HRIS CSV export of the roster, read as the SCIM users the policy reads.

Many HR systems (Personio, BambooHR, HiBob, Workday reports, ...) can export a
CSV, not SCIM. Put `users.csv` in the roster's export folder (in place of
`users.jsonl`), with a header row and these columns (any order, names
case-insensitive; other columns are ignored, never read):

| column                | SCIM attribute it stands for                   | lands as                |
|-----------------------|------------------------------------------------|-------------------------|
| employee_id (req.)    | `id`                                           | scim_user_key (pseud.)  |
| email (req.)          | `userName`                                     | person_key (pseud.)     |
| display_name          | `displayName`                                  | identity only           |
| title                 | `title`                                        | job_title               |
| department (req.)     | enterprise `department` (the team)             | team_name               |
| team_since            | team extension `teamSince` (YYYY-MM-DD)        | team_effective_date     |
| division              | enterprise `division` (the function)           | function_name           |
| manager_employee_id   | enterprise `manager.value`                     | manager_scim_user_key   |
| time_zone             | `timezone` (IANA, e.g. Europe/Berlin)          | time_zone               |
| active                | `active` (true/false, yes/no, 1/0)             | is_active               |
| work_days             | schedule `workDays` (Mon|Tue|..., or , or ;)   | work_days               |
| work_start, work_end  | schedule `workStart`, `workEnd` (HH:MM)        | work_start/end_time     |
| start_date            | enterprise `startDate` (YYYY-MM-DD)            | employment_start_date   |
| last_modified (req.)  | `meta.lastModified` (ISO 8601; no offset: UTC) | last_modified_at        |
| created               | `meta.created` (optional)                      | created_at              |

An empty cell is a missing value. A header without a required column fails
the load with the file, the row (1, the header) and the column named. A row
whose value is missing or does not parse (a bad date, `active` = maybe) is
quarantined like any record: the file, the row number (data rows from 1,
the header not counted), the column it lands as, never a person's value.

A person's older rows may follow their current one (an HRIS "job history"
report: one row per change, each with its own `last_modified` and
`team_since`): every row lands in `raw_roster.user_versions`, the newest in
`raw_roster.users` (docs/connectors/roster.md#team-history).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from outcomes.errors import OutcomesError

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCHEDULE = "urn:outcomes:params:scim:schemas:extension:schedule:1.0:User"
TEAM = "urn:outcomes:params:scim:schemas:extension:team:1.0:User"
SCHEMAS = ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE, SCHEDULE]

REQUIRED = ("employee_id", "email", "department", "last_modified")
OPTIONAL = (
    "display_name",
    "title",
    "division",
    "manager_employee_id",
    "time_zone",
    "active",
    "work_days",
    "work_start",
    "work_end",
    "start_date",
    "team_since",
    "created",
)
COLUMNS = REQUIRED + OPTIONAL

_TRUE = {"true", "yes", "y", "1", "active"}
_FALSE = {"false", "no", "n", "0", "inactive"}
_DAYS = re.compile(r"[|,;\s]+")


def _active(text: str) -> bool | str:
    """A yes/no cell as a boolean; anything else as it is (the reader quarantines it)."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return text


def _header(path: Path, names: list[str] | None) -> dict[str, int]:
    if not names:
        raise OutcomesError(f"roster export {path.name}: row 1 (the header) is missing")
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        key = name.strip().lower()
        if key in COLUMNS and key not in index:
            index[key] = position
    for column in REQUIRED:
        if column not in index:
            raise OutcomesError(
                f"roster export {path.name}: row 1 (the header) has no column {column!r}; "
                f"required: {', '.join(REQUIRED)} (see docs/connectors/roster.md)"
            )
    return index


def row_to_scim(cells: dict[str, str]) -> dict[str, Any]:
    """One CSV row (documented column -> cell text, empty cells left out) as a SCIM user."""
    enterprise: dict[str, Any] = {}
    schedule: dict[str, Any] = {}
    record: dict[str, Any] = {"schemas": SCHEMAS}
    if "employee_id" in cells:
        record["id"] = cells["employee_id"]
    if "email" in cells:
        record["userName"] = cells["email"]
        record["emails"] = [{"value": cells["email"], "type": "work", "primary": True}]
    if "display_name" in cells:
        record["displayName"] = cells["display_name"]
    if "title" in cells:
        record["title"] = cells["title"]
    if "time_zone" in cells:
        record["timezone"] = cells["time_zone"]
    if "active" in cells:
        record["active"] = _active(cells["active"])
    for column, attribute in (
        ("division", "division"),
        ("department", "department"),
        ("start_date", "startDate"),
    ):
        if column in cells:
            enterprise[attribute] = cells[column]
    if "manager_employee_id" in cells:
        enterprise["manager"] = {"value": cells["manager_employee_id"]}
    if "work_days" in cells:
        schedule["workDays"] = [d for d in _DAYS.split(cells["work_days"]) if d]
    if "work_start" in cells:
        schedule["workStart"] = cells["work_start"]
    if "work_end" in cells:
        schedule["workEnd"] = cells["work_end"]
    if enterprise:
        record[ENTERPRISE] = enterprise
    if schedule:
        record[SCHEDULE] = schedule
    if "team_since" in cells:
        record[TEAM] = {"teamSince": cells["team_since"]}
        record["schemas"] = [*SCHEMAS, TEAM]
    meta: dict[str, Any] = {"resourceType": "User"}
    if "created" in cells:
        meta["created"] = cells["created"]
    if "last_modified" in cells:
        meta["lastModified"] = cells["last_modified"]
    record["meta"] = meta
    return record


def csv_to_scim_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every data row of an HRIS CSV export as a SCIM user record, in file order.

    Blank lines are skipped; the n-th record is the n-th data row (the record
    number the quarantine names)."""
    row_number = 0
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = csv.reader(handle)
            index = _header(path, next(rows, None))
            for cells in rows:
                if not any(c.strip() for c in cells):
                    continue
                row_number += 1
                values = {
                    column: cells[position].strip()
                    for column, position in index.items()
                    if position < len(cells) and cells[position].strip()
                }
                yield row_to_scim(values)
    except UnicodeDecodeError:
        raise OutcomesError(
            f"roster export {path.name}: not UTF-8 text (after data row {row_number}); "
            "export it as UTF-8"
        ) from None
    except csv.Error as exc:
        raise OutcomesError(
            f"roster export {path.name}: data row {row_number + 1} is not valid CSV ({exc})"
        ) from None
