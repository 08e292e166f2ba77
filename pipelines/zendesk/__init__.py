"""Zendesk Support: users, tickets, ticket audit events (status changes, comments without bodies), CSAT, groups, SLA targets.

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.
"""

from pipelines.common.source import export_source

zendesk = export_source("zendesk")
