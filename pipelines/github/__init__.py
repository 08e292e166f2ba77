"""GitHub: users, pull requests, reviews, PR commits, deployments, deployment statuses, workflow runs.

The columns that land, and how each is protected, are in `policy.yml` beside
this file; anything not listed there is dropped before it is written.
"""

from pipelines.common.source import export_source

github = export_source("github")
