"""The transparency page (docs/privacy.md#transparency-page), generated, never hand-written.

From the collection policies (what each source collects, why, how long it is
kept, whether people may opt out, what is never collected) and the dbt
manifest (each published model's purpose and owner). The report owner puts
the text where the site wants it (`reports/pages/transparency.md`).
"""

from __future__ import annotations

import json
from pathlib import Path

from outcomes.privacy.people import policies
from pipelines.common.policy import SourcePolicy

PUBLISHED_SCHEMA = "marts"

# docs/privacy.md#default-deny-collection: true of every source, whatever its policy says.
NEVER_COLLECTED = (
    "keystrokes",
    "screenshots",
    "camera",
    'presence or "online" status',
    "message bodies",
    "email bodies",
    "comment text",
    "document contents",
    "meeting titles and descriptions",
)

ACCESS = {
    "raw": "the privacy operator only (raw and identity schemas)",
    "published": "executives and BI users, team-level marts only; suppressed below k people",
}


def published_models(manifest: dict) -> list[dict]:
    """Models of the project in the published schema, by name."""
    return sorted(
        (
            n
            for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["schema"] == PUBLISHED_SCHEMA
        ),
        key=lambda n: n["name"],
    )


def _months(days: int) -> str:
    return f"{days} days (about {round(days / 30.44)} months)"


def _source_section(policy: SourcePolicy) -> list[str]:
    kept, pseudonymized, derived, identity, dropped = [], [], [], [], []
    for table in policy.tables:
        for column in table.columns:
            name = f"`{table.name}.{column.name}`"
            {
                "keep": kept,
                "pseudonymize": pseudonymized,
                "derive": derived,
                "identity": identity,
            }[column.action].append(name)
        dropped += [f"`{table.name}.{d.strip(chr(34))}`" for d in table.dropped]
    lines = [
        f"### {policy.source}",
        "",
        f"- **Purpose:** {policy.purpose}",
        f"- **Kept for:** {_months(policy.retention_days)}, then deleted",
        f"- **Opt-out:** {'allowed' if policy.opt_out_allowed else 'not allowed'}",
        f"- **Who can see the raw data:** {ACCESS['raw']}",
        f"- **Collected as is:** {', '.join(kept) or 'nothing'}",
        f"- **People identifiers, replaced by a keyed pseudonym:** "
        f"{', '.join(pseudonymized) or 'none'}",
        f"- **Derived (only the derived value is stored):** {', '.join(derived) or 'none'}",
    ]
    if identity:
        lines.append(
            f"- **Clear-text identity (identity schema, privacy commands only):** "
            f"{', '.join(identity)}"
        )
    lines += [
        f"- **Never collected:** {', '.join(NEVER_COLLECTED)}; and from this source's "
        f"exports: {', '.join(sorted(set(dropped))) or 'nothing else listed'}; any field "
        "not listed above is dropped too (default deny)",
        "",
    ]
    return lines


def render_transparency(
    manifest: dict, source_policies: dict[str, SourcePolicy] | None = None
) -> str:
    """The page as markdown."""
    source_policies = source_policies or policies()
    lines = [
        "# What we collect, why, who sees it and how long we keep it",
        "",
        "Generated from the collection policies (`pipelines/<source>/policy.yml`) and",
        "the models' metadata; do not edit by hand.",
        "",
        "## Sources",
        "",
    ]
    for source in sorted(source_policies):
        lines += _source_section(source_policies[source])
    lines += [
        "## Published tables",
        "",
        "| Table | Purpose | Owner | Who can see it | Kept for |",
        "|---|---|---|---|---|",
    ]
    for node in published_models(manifest):
        meta = node.get("meta") or node.get("config", {}).get("meta", {})
        purpose = " ".join(str(meta.get("purpose", "NOT DECLARED")).split())
        lines.append(
            f"| `{node['name']}` | {purpose} | {meta.get('owner', 'NOT DECLARED')} | "
            f"{ACCESS['published']} | rebuilt from raw on every run: "
            "follows the sources' retention |"
        )
    lines += [
        "",
        "## Your rights",
        "",
        "- `outcomes privacy export --email you@...`: everything held about you, as JSON.",
        "- `outcomes privacy erase --email you@...`: your rows deleted and the tables rebuilt.",
        "- `outcomes me --email you@... --out FILE`: your own figures and what waits on you "
        "today, private to you (`--wellbeing` adds signals kept only in that file).",
        "- Every one of these is written to a hash-chained audit log"
        " (`outcomes privacy verify-audit`).",
        "",
    ]
    return "\n".join(lines)


def write_transparency(manifest_path: Path, out: Path) -> str:
    text = render_transparency(json.loads(manifest_path.read_text()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text
