"""Keyed pseudonyms and the salt (docs/privacy.md#pseudonyms-at-ingest)."""

import hashlib
import hmac

import pyarrow as pa
import pytest

from outcomes.errors import OutcomesError
from outcomes.privacy.pseudonym import pseudonymize, pseudonymize_array
from outcomes.privacy.salt import SALT_ENV, resolve_salt

SALT = b"0123456789abcdef-test-salt"


def test_pseudonym_is_truncated_hmac_sha256_of_normalized_email():
    expected = hmac.new(SALT, b"ada.lovelace@acme.example", hashlib.sha256).hexdigest()[:32]
    assert pseudonymize("  Ada.Lovelace@ACME.example ", SALT, "email", "github") == expected


def test_same_email_joins_across_tools_but_accounts_are_namespaced():
    email = "ada@acme.example"
    assert pseudonymize(email, SALT, "email", "github") == pseudonymize(
        email, SALT, "email", "jira"
    )
    assert pseudonymize("123", SALT, "account", "zendesk") != pseudonymize(
        "123", SALT, "account", "pagerduty"
    )


def test_another_salt_gives_other_pseudonyms():
    assert pseudonymize("a@b.c", SALT, "email", "x") != pseudonymize(
        "a@b.c", b"x" * 20, "email", "x"
    )


def test_vectorized_matches_scalar_and_keeps_nulls():
    values = pa.array(["a@x.io", None, "b@x.io", "a@x.io"])
    out = pseudonymize_array(values, SALT, "email", "calendar").to_pylist()
    assert out[1] is None
    assert out[0] == out[3] == pseudonymize("a@x.io", SALT, "email", "calendar")
    assert out[2] == pseudonymize("b@x.io", SALT, "email", "calendar")


def test_missing_salt_outside_demo_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(SALT_ENV, raising=False)
    with pytest.raises(OutcomesError, match="missing secret: the pseudonym salt"):
        resolve_salt(tmp_path)


def test_salt_from_secrets_file_and_env_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv(SALT_ENV, raising=False)
    (tmp_path / ".dlt").mkdir()
    (tmp_path / ".dlt" / "secrets.toml").write_text(
        '[outcomes]\npseudonym_salt = "from-file-0123456789"\n'
    )
    assert resolve_salt(tmp_path) == b"from-file-0123456789"
    monkeypatch.setenv(SALT_ENV, "from-env-0123456789")
    assert resolve_salt(tmp_path) == b"from-env-0123456789"


def test_short_salt_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv(SALT_ENV, "short")
    with pytest.raises(OutcomesError, match="too short"):
        resolve_salt(tmp_path)


def test_demo_salt_is_generated_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(SALT_ENV, raising=False)
    salt_file = tmp_path / "wh" / "demo.salt"
    first = resolve_salt(tmp_path, demo_salt_file=salt_file)
    assert resolve_salt(tmp_path, demo_salt_file=salt_file) == first
    assert len(first) == 64
    assert oct(salt_file.stat().st_mode)[-3:] == "600"
