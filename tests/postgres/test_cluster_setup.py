"""The throwaway cluster's binaries: skipped without them on a developer's
machine, a failure in CI (CI=true), where .ci/run installs postgresql."""

from __future__ import annotations

import pytest

from tests.postgres import conftest


def test_missing_binaries_fail_in_ci(monkeypatch):
    monkeypatch.setattr(conftest, "find_postgres_bin", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install postgresql"):
        conftest.require_postgres_bin()


def test_missing_binaries_skip_outside_ci(monkeypatch):
    monkeypatch.setattr(conftest, "find_postgres_bin", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest.require_postgres_bin()
