"""HR roster (SCIM 2.0 /Users export): teams, roles, schedules; identity kept apart.

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.
"""

from pipelines.common.source import export_source

roster = export_source("roster")
