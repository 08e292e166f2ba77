"""Environments for the processes and CLI invocations of these tests."""

from __future__ import annotations

import os

from outcomes.privacy.salt import SALT_ENV
from tests.conftest import DEMO_SALT


def process_env(**extra: str) -> dict[str, str]:
    """A process's environment: this one's, no OUTCOMES_* but the salt and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTCOMES_")}
    return {**env, SALT_ENV: DEMO_SALT.decode(), **extra}


def cli_env(**extra: str) -> dict[str, str | None]:
    """The same for click's CliRunner, which only overrides (None unsets)."""
    unset = {k: None for k in os.environ if k.startswith("OUTCOMES_")}
    return {**unset, SALT_ENV: DEMO_SALT.decode(), **extra}
