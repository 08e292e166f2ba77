"""The run's clock: `OUTCOMES_AS_OF_UTC` pins it, else it is the machine's.

One pinned moment for a whole run: the load time stamped on raw rows (from
which retention counts), the dbt build's "now" (`outcomes.build`, dbt var
`as_of_utc`) and the nudges' delivery clock. Tests pin it so that fixtures
dated in the past stay inside every window whatever the day they run, and a
rebuild "as of" a report's date sees the data as it stood.
"""

from __future__ import annotations

import datetime as dt
import os

from outcomes.errors import OutcomesError

AS_OF_ENV = "OUTCOMES_AS_OF_UTC"


def run_clock(value: str | None = None) -> dt.datetime:
    """Naive UTC: `value`, else OUTCOMES_AS_OF_UTC, else now (whole seconds)."""
    chosen = value or os.environ.get(AS_OF_ENV)
    if not chosen:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return utc_time(chosen, f"the clock ({AS_OF_ENV})")


def utc_time(text: str, name: str) -> dt.datetime:
    """An ISO 8601 time as naive UTC (the warehouse's timestamps are UTC); `name`
    says in the error where the text came from."""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise OutcomesError(
            f"{name} {text!r} is not an ISO 8601 time such as 2026-03-31T12:00"
        ) from None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when
