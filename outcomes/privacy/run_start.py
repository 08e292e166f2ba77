"""What every run does to the warehouse before it loads anything.

`outcomes.runner.run` calls `before_load` once, after the warehouse file
exists and before the first source is read:

1. The salt check (`outcomes.privacy.salt.check_salt`): a run under another
   salt than the warehouse's is refused, before any row is written.
"""

from __future__ import annotations

from pathlib import Path

from outcomes.privacy.salt import check_salt


def before_load(warehouse: Path, salt: bytes) -> None:
    """Refuse a foreign salt; raises OutcomesError with a one-line message."""
    check_salt(warehouse, salt)
