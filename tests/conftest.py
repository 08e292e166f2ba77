"""Shared test setup: tools never phone home; nothing reads a developer's salt."""

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")
