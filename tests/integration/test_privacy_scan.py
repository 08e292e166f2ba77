"""docs/privacy.md "Collect less", proven on the demo warehouse: no email, name,
login, account id or free text from the raw exports appears in any table
outside the identity and quarantine schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

# Keys whose string values are people identifiers or free text in the
# exports of every tool (SCIM, GitHub, Jira, PagerDuty, Zendesk, HubSpot,
# Google Calendar).
SENSITIVE_KEYS = {
    "email",
    "emailAddress",
    "userName",
    "login",
    "accountId",
    "displayName",
    "givenName",
    "familyName",
    "firstName",
    "lastName",
    "title",
    "summary",
    "body",
    "html_body",
    "plain_body",
    "description",
    "comment",
    "subject",
    "raw_subject",
    "location",
    "value",
}
EXCLUDED_SCHEMAS = {"identity", "quarantine", "information_schema", "pg_catalog"}


# PagerDuty references carry a `summary`: a person's name for a user
# reference (and its `id` is an account id), the name of a system otherwise
# (service, team, escalation policy, priority), which is kept.
SYSTEM_REFERENCES = {
    "service_reference",
    "team_reference",
    "escalation_policy_reference",
    "priority_reference",
}


def _strings(node: object, parent: str | None = None) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        user_like = any(k in node for k in ("email", "emailAddress", "login", "accountId"))
        scim_user = "userName" in node  # its `title` is the job title, kept as the role
        node_type = node.get("type") if isinstance(node.get("type"), str) else None
        system_reference = node_type in SYSTEM_REFERENCES
        if node_type == "user_reference" and isinstance(node.get("id"), str):
            yield "id", node["id"]
        for key, value in node.items():
            kept = (scim_user and key == "title") or (system_reference and key == "summary")
            if (
                isinstance(value, str)
                and not kept
                and (key in SENSITIVE_KEYS or (key == "name" and user_like))
            ):
                yield key, value
            else:
                yield from _strings(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, parent)


def sensitive_values(exports: Path) -> set[str]:
    needles: set[str] = set()
    for path in sorted(exports.glob("*/*.jsonl")):
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            for key, value in _strings(record):
                # Workflow vocabulary (status names in changelog/audit values,
                # stage ids) is not personal; people data and text are longer
                # or contain spaces/@.
                if key == "value" and " " not in value and "@" not in value:
                    continue
                if len(value) >= 3:
                    needles.add(value)
    return needles


def warehouse_strings(demo_warehouse) -> dict[tuple[str, str, str], set[str]]:
    columns = demo_warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in "
        f"({', '.join(repr(s) for s in sorted(EXCLUDED_SCHEMAS))}) "
        "and table_name not like '\\_dlt%' escape '\\' and column_name not like '\\_dlt%' escape '\\'"
    )
    found = {}
    for schema, table, column in columns:
        rows = demo_warehouse.query(f'select distinct "{column}" from "{schema}"."{table}"')
        found[(schema, table, column)] = {v for (v,) in rows if v is not None}
    return found


def test_no_raw_people_data_or_text_outside_identity_and_quarantine(demo_warehouse):
    needles = sensitive_values(demo_warehouse.exports)
    assert len(needles) > 500, "the scan must have real needles to look for"
    leaks = []
    for (schema, table, column), values in warehouse_strings(demo_warehouse).items():
        for value in values & needles:
            leaks.append(f"{schema}.{table}.{column} = {value!r}")
        for value in values:
            if "@" in value:
                leaks.append(f"{schema}.{table}.{column} holds an email-like value {value!r}")
    assert not leaks, "\n".join(sorted(leaks)[:50])


def test_identity_schema_is_the_only_place_with_emails(demo_warehouse):
    emails = demo_warehouse.query(
        "select count(*) from identity.people_identity where email like '%@%'"
    )
    assert emails[0][0] > 0
