"""HubSpot CRM: owners, contacts (leads), deals with stage history, engagements (calls, emails, meetings).

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.
"""

from pipelines.common.source import export_source

hubspot = export_source("hubspot")
