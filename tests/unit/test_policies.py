"""Every committed policy parses, and policy mistakes fail with the file, table and column."""

import pytest

from outcomes.config import KNOWN_SOURCES
from outcomes.errors import OutcomesError
from pipelines.common.policy import load_policy


@pytest.mark.parametrize("source", KNOWN_SOURCES)
def test_committed_policies_parse_and_declare_a_purpose(source):
    policy = load_policy(source)
    assert policy.purpose.strip()
    assert policy.retention_days >= 1
    for table in policy.tables:
        assert table.primary_key


def test_clear_text_identity_only_in_identity_schema(tmp_path):
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "policy.yml").write_text("""
source: toy
purpose: test
retention_days: 1
tables:
  people:
    file: p.jsonl
    primary_key: [id]
    columns:
      id: {path: id, action: keep}
      email: {path: email, action: identity}
""")
    with pytest.raises(OutcomesError, match=r"table 'people', column 'email': action identity"):
        load_policy("toy", tmp_path)


def test_unknown_action_is_named(tmp_path):
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "policy.yml").write_text("""
source: toy
purpose: test
retention_days: 1
tables:
  t:
    file: t.jsonl
    primary_key: [id]
    columns:
      id: {path: id, action: store}
""")
    with pytest.raises(
        OutcomesError, match=r"policy .*toy/policy.yml: table 't', column 'id': action must be"
    ):
        load_policy("toy", tmp_path)
