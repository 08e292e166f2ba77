"""Google Calendar: events and their attendees (no titles, no descriptions: only derived flags).

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.
"""

from pipelines.common.source import export_source

calendar = export_source("calendar")
