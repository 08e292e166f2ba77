"""PagerDuty: users, services, incidents (assignments, acknowledgements, linked deployment) and their log entries.

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.
"""

from pipelines.common.source import export_source

pagerduty = export_source("pagerduty")
