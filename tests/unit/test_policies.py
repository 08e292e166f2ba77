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


def _toy_policy(tmp_path, column_spec: str) -> None:
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "policy.yml").write_text(f"""
source: toy
purpose: test
retention_days: 1
tables:
  t:
    file: t.jsonl
    primary_key: [id]
    columns:
      id: {{path: id, type: bigint, action: keep}}
      reverted_number: {column_spec}
    dropped: [body]
""")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{path: body, action: derive, derive: extract_number}", "needs an `arg`"),
        (
            "{path: body, action: derive, derive: extract_number, arg: 'Reverts #[0-9]+'}",
            "exactly one",
        ),
        (
            "{path: body, action: derive, derive: extract_number, arg: 'Reverts #([0-9]+'}",
            "not a regular expression",
        ),
    ],
)
def test_extract_number_needs_a_pattern_with_one_group(tmp_path, spec, message):
    _toy_policy(tmp_path, spec)
    with pytest.raises(OutcomesError, match=rf"table 't', column 'reverted_number': .*{message}"):
        load_policy("toy", tmp_path)


def test_extract_number_lands_only_the_number(tmp_path):
    """GitHub's revert body 'Reverts owner/repo#N': N lands as a bigint, the text never."""
    import datetime as dt
    import json

    from pipelines.common.reader import read_table

    _toy_policy(
        tmp_path,
        "{path: body, action: derive, derive: extract_number,"
        " arg: 'Reverts [A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#([0-9]+)'}",
    )
    table = load_policy("toy", tmp_path).table("t")
    records = [
        {"id": 1, "body": "Reverts acme/api#1234"},
        {"id": 2, "body": "Fix the login page; see acme/api#7"},
        {"id": 3, "body": None},
        {"id": 4, "body": "Reverts acme/api#99\n\nBecause the deploy failed."},
    ]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    read = read_table(table, "toy", tmp_path, b"salt", dt.datetime(2026, 1, 1))
    data = read.data
    rows = sorted(
        zip(data.column("id").to_pylist(), data.column("reverted_number").to_pylist(), strict=True)
    )
    assert rows == [(1, 1234), (2, None), (3, None), (4, 99)]
    assert read.data.schema.field("reverted_number").type == "int64"
    assert "body" not in read.data.schema.names
