"""Google Calendar: events and their attendees (no titles, no descriptions: only derived flags).

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.

The export folder holds `events.jsonl` (events.list shapes, one a line) or,
from Outlook, Apple Calendar or any other tool, `.ics` files
(`pipelines/calendar/ics.py`), read as the same events. The live API loader
is `pipelines/calendar/api.py`.
"""

from pipelines.calendar.ics import ics_to_records
from pipelines.common.source import export_source

# policy file -> (the other format an export may take, its converter)
CONVERTERS = {"events.jsonl": ("*.ics", ics_to_records)}

calendar = export_source("calendar")
