"""Jira Cloud: users, issues, issue links and the status changelog.

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.
"""

from pipelines.common.source import export_source

jira = export_source("jira")
