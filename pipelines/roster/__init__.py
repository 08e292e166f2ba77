"""HR roster (SCIM 2.0 /Users export): teams, roles, schedules; identity kept apart.

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.

The export folder holds `users.jsonl` (SCIM users, one a line) or, from an
HRIS, `users.csv` with the documented columns (`pipelines/roster/hris_csv.py`),
read as the same SCIM users.
"""

from pipelines.common.source import export_source
from pipelines.roster.hris_csv import csv_to_scim_records

# policy file -> (the other format an export may take, its converter)
CONVERTERS = {"users.jsonl": ("users.csv", csv_to_scim_records)}

roster = export_source("roster")
