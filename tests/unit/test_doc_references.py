"""Every reference to a document points at a file of this repository (issue 15).

A clone must be able to read what its code, README and docs cite. The test
scans every tracked text file (`git ls-files`) for

- paths to Markdown documents (`docs/privacy.md`, `privacy/README.md`,
  `docs/kpi-definitions.md#csat`) and document names written in capitals
  (`KPI_DEFINITIONS.md`, `README.md`), anywhere: code comments, docstrings,
  YAML, SQL, Markdown;
- relative links in Markdown files (`[text](../privacy/README.md#salt)`,
  `[text](#anchor)`, images included),

and fails naming file and line when the target is not a tracked file, or when
its `#anchor` matches no heading of the target. A path resolves from the
citing file's folder, then from each folder above it up to the repository
root. Bare lower-case names (`me.md`, `transparency.md`) are file names in
code, not citations, and are not checked; site routes (`/teams`) and URLs are
not files.
"""

from __future__ import annotations

import csv
import re
import subprocess
import unicodedata
from functools import cache
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Documents the site build writes (outcomes/reports.py), cited before they exist.
GENERATED = {"reports/partials/transparency.md", "reports/partials/site_data.md"}

# Lock files (no citations, only noise) and this file (its examples are broken on purpose).
SKIPPED_FILES = {"uv.lock", "reports/package-lock.json", "tests/unit/test_doc_references.py"}

_PATH_CHARS = r"[\w.\[\]-]"
# A path ending in .md, optionally with an anchor; not part of a longer path or URL.
DOC_REFERENCE = re.compile(
    rf"(?<![\w./\[\]:-])((?:{_PATH_CHARS}+/)*[\w\[\]-]{_PATH_CHARS}*\.md)(#[\w-]+)?(?![\w/-])"
)
# An inline Markdown link or image: [text](target) or ![alt](target "title").
MARKDOWN_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


@cache
def tracked_files() -> frozenset[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return frozenset(p for p in out.split("\0") if p)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces -> '-'."""
    text = re.sub(r"`|\*\*|__|\[|\]\([^)]*\)", "", heading)  # code, bold, link targets
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


@cache
def anchors_of(path: str) -> frozenset[str]:
    found: list[str] = []
    seen: dict[str, int] = {}
    in_fence = False
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        found += HTML_ANCHOR.findall(line)
        match = HEADING.match(line)
        if match:
            slug = github_slug(match.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.append(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def resolve(citing: str, target: str, *, link: bool = False) -> str | None:
    """The tracked (or generated) path `target` names, seen from the file `citing`.

    A Markdown link resolves from the citing file's folder only, as GitHub
    renders it; a citation in text also from each folder above it.
    """
    folder = PurePosixPath(citing).parent
    bases = [folder] if link else [folder, *folder.parents]
    for base in bases:
        parts: list[str] = []
        for part in (base / target).parts:
            if part == "..":
                if not parts:
                    break  # leaves the repository
                parts.pop()
            elif part not in (".", ""):
                parts.append(part)
        else:
            candidate = "/".join(parts)
            if candidate in tracked_files() or candidate in GENERATED:
                return candidate
            # A folder link (`docs/connectors/`): fine when it holds tracked files.
            folder_prefix = candidate.rstrip("/") + "/"
            if candidate and any(f.startswith(folder_prefix) for f in tracked_files()):
                return candidate
    return None


def is_citation(target: str) -> bool:
    """A path, or a document name in capitals (README.md, KPI_DEFINITIONS.md)."""
    name = target.rsplit("/", 1)[-1]
    return "/" in target or name[:1].isupper()


def references(path: str, text: str):
    """(line number, target, anchor, is_link) of every document reference in a file."""
    is_markdown = path.endswith(".md")
    for number, line in enumerate(text.splitlines(), start=1):
        spans = []
        if is_markdown:
            for match in MARKDOWN_LINK.finditer(line):
                spans.append(match.span())  # its text and target
                target = match.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("/", "{")):
                    continue  # URLs, mail, site routes, templated routes
                if "{" in target:
                    continue
                file_part, _, anchor = target.partition("#")
                yield number, file_part, anchor, True
        for match in DOC_REFERENCE.finditer(line):
            if any(start <= match.start(1) < end for start, end in spans):
                continue  # part of a link: its target is checked
            target, anchor = match.group(1), (match.group(2) or "")[1:]
            if is_citation(target):
                yield number, target, anchor, False


def problems() -> list[str]:
    found = []
    for path in sorted(tracked_files()):
        if path in SKIPPED_FILES or "node_modules/" in path:
            continue
        file = ROOT / path
        if not file.is_file():
            continue  # deleted in the working tree, not yet committed
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (screenshots)
        for number, target, anchor, link in references(path, text):
            resolved = resolve(path, target, link=link) if target else path
            if resolved is None:
                found.append(f"{path}:{number}: {target} is not a file of this repository")
            elif (
                anchor
                and resolved.endswith(".md")
                and resolved not in GENERATED
                and anchor not in anchors_of(resolved)
            ):
                found.append(f"{path}:{number}: {resolved} has no heading for #{anchor}")
    return found


def test_generated_documents_are_ignored_or_committed():
    """The exceptions cannot hide a document someone forgot to commit."""
    for path in sorted(GENERATED):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0
        assert ignored or path in tracked_files(), f"{path} is neither git-ignored nor committed"


def test_every_document_reference_points_at_a_file_and_heading_that_exist():
    found = problems()
    assert not found, "references to missing documents:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Team KPIs (`fct_team_kpis_weekly`)", "team-kpis-fct_team_kpis_weekly"),
        ("Small groups: k-anonymity suppression", "small-groups-k-anonymity-suppression"),
        ("weighted_throughput", "weighted_throughput"),
        ("Salt: one per warehouse", "salt-one-per-warehouse"),
        ("Engines (DuckDB, Postgres, Spark)", "engines-duckdb-postgres-spark"),
    ],
)
def test_anchors_follow_githubs_slugs(heading, slug):
    assert github_slug(heading) == slug


def test_a_missing_document_a_missing_anchor_and_a_link_out_of_the_repo_are_named():
    text = (
        "See KPI_DEFINITIONS.md and docs/privacy.md#no-such-heading.\n"
        "[ok](docs/privacy.md#opt-outs) [gone](../../shared/STYLE.md)\n"
        "[route](/teams) [web](https://example.com/x.md) me.md\n"
    )
    refs = list(references("README.md", text))
    assert refs == [
        (1, "KPI_DEFINITIONS.md", "", False),
        (1, "docs/privacy.md", "no-such-heading", False),
        (2, "docs/privacy.md", "opt-outs", True),
        (2, "../../shared/STYLE.md", "", True),
    ]
    assert resolve("README.md", "KPI_DEFINITIONS.md") is None
    assert resolve("README.md", "../../shared/STYLE.md") is None
    assert resolve("models/kpis/flow/kpi_x.sql", "docs/privacy.md") == "docs/privacy.md"
    assert resolve("docs/privacy.md", "../privacy/README.md", link=True) == "privacy/README.md"
    assert resolve("docs/privacy.md", "privacy/README.md", link=True) is None  # not from docs/
    assert "opt-outs" in anchors_of("docs/privacy.md")
    assert "no-such-heading" not in anchors_of("docs/privacy.md")


def test_every_kpi_of_the_catalog_has_its_definition_heading():
    """A page or the catalog links `docs/kpi-definitions.md#<kpi_id>`: the heading exists."""
    with (ROOT / "seeds" / "kpis" / "kpi_catalog.csv").open(newline="") as f:
        kpi_ids = [row["kpi_id"] for row in csv.DictReader(f)]
    assert len(kpi_ids) >= 24
    missing = sorted(set(kpi_ids) - anchors_of("docs/kpi-definitions.md"))
    assert not missing, f"docs/kpi-definitions.md has no `### <kpi_id>` heading for {missing}"
