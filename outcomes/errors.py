"""The one exception type the CLI turns into a clear message instead of a traceback."""


class OutcomesError(Exception):
    """A problem the user can fix: bad config, missing secret, unreadable input."""
