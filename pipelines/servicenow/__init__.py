"""ServiceNow IT service management: incidents and their update log, from a CSV export.

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.
"""

from pipelines.common.source import export_source

servicenow = export_source("servicenow")
