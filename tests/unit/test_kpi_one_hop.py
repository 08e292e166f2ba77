"""From a KPI id, one step each to its definition, its model and its unit test (issue 15).

A newcomer who reads a KPI id on a report page (`win_rate`) finds

- its definition: the section `### <kpi_id>` of docs/kpi-definitions.md,
  which names the model's file;
- its model: the catalog (seeds/kpis/kpi_catalog.csv) names it in
  `model_name`, and it is models/kpis/<category>/<model_name>.sql;
- its unit test: in <model_name>.yml beside the model, a dbt unit test of
  that model with a description (the hand computation) that expects a row of
  this KPI id.

The test reads the files only, no warehouse: it fails naming the KPI id and
the step that is missing. The dbt side (the catalog against the models the
manifest holds, the KPI mart's union) is the manifest lint's, tested in
test_lint_manifest.py.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "seeds" / "kpis" / "kpi_catalog.csv"
KPI_MODELS = ROOT / "models" / "kpis"
DEFINITIONS = ROOT / "docs" / "kpi-definitions.md"
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


@cache
def catalog() -> list[dict[str, str]]:
    with CATALOG.open(newline="") as handle:
        return list(csv.DictReader(handle))


def catalog_ids() -> list[str]:
    return [row["kpi_id"] for row in catalog()]


def catalog_row(kpi_id: str) -> dict[str, str]:
    return next(row for row in catalog() if row["kpi_id"] == kpi_id)


@cache
def definition_sections() -> dict[str, str]:
    """`### <title>` -> the text under it, up to the next heading of level 1-3."""
    sections: dict[str, str] = {}
    title, lines = None, []
    for line in DEFINITIONS.read_text(encoding="utf-8").splitlines():
        match = HEADING.match(line)
        if match and len(match.group(1)) <= 3:
            if title is not None:
                sections[title] = "\n".join(lines)
            title = match.group(2).strip("` ") if len(match.group(1)) == 3 else None
            lines = []
        elif title is not None:
            lines.append(line)
    if title is not None:
        sections[title] = "\n".join(lines)
    return sections


def model_sql(model_name: str) -> Path:
    found = sorted(KPI_MODELS.glob(f"*/{model_name}.sql"))
    assert len(found) == 1, (
        f"{model_name}: expected one models/kpis/<category>/{model_name}.sql, found "
        f"{[str(p.relative_to(ROOT)) for p in found] or 'none'}"
    )
    return found[0]


def load_yaml(path: Path) -> dict:
    assert path.exists(), f"{path.relative_to(ROOT)}: missing; a KPI model's YAML sits beside it"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def unit_tests_of(model_name: str, document: dict) -> list[dict]:
    return [t for t in document.get("unit_tests") or [] if t.get("model") == model_name]


def expected_kpi_ids(unit_test: dict) -> set[str]:
    """The kpi_id values of a unit test's expected rows (dict or csv rows)."""
    expect = unit_test.get("expect") or {}
    rows = expect.get("rows")
    if expect.get("format", "dict") == "csv" and isinstance(rows, str):
        rows = list(csv.DictReader(io.StringIO(rows)))
    if not isinstance(rows, list):
        return set()
    return {str(row.get("kpi_id")) for row in rows if isinstance(row, dict)}


def test_the_catalog_lists_kpis():
    assert len(catalog()) >= 20
    assert len(set(catalog_ids())) == len(catalog()), "a kpi_id is listed twice"


@pytest.mark.parametrize("kpi_id", catalog_ids())
def test_catalog_names_a_model_in_its_category_folder(kpi_id: str):
    row = catalog_row(kpi_id)
    model_name = (row.get("model_name") or "").strip()
    assert model_name, f"{kpi_id}: the catalog names no model_name"
    sql = model_sql(model_name)
    assert sql.parent.name == row["category"], (
        f"{kpi_id}: {sql.relative_to(ROOT)} is not in models/kpis/{row['category']}/, "
        "the catalog's category"
    )


@pytest.mark.parametrize("kpi_id", catalog_ids())
def test_yaml_beside_the_model_holds_its_unit_test(kpi_id: str):
    model_name = catalog_row(kpi_id)["model_name"].strip()
    sql = model_sql(model_name)
    beside = sql.with_suffix(".yml")
    document = load_yaml(beside)
    where = beside.relative_to(ROOT)
    assert model_name in [m.get("name") for m in document.get("models") or []], (
        f"{kpi_id}: {where} does not describe model {model_name}"
    )
    tests = unit_tests_of(model_name, document)
    assert tests, f"{kpi_id}: {where} holds no unit test with `model: {model_name}`"
    for unit_test in tests:
        assert (unit_test.get("description") or "").strip(), (
            f"{where}: unit test {unit_test.get('name')} has no description "
            "(write the hand computation there)"
        )
    assert any(kpi_id in expected_kpi_ids(t) for t in tests), (
        f"{kpi_id}: no unit test in {where} expects a row with kpi_id {kpi_id}"
    )


@pytest.mark.parametrize("kpi_id", catalog_ids())
def test_definition_section_names_the_model(kpi_id: str):
    assert DEFINITIONS.exists(), "docs/kpi-definitions.md is missing"
    sections = definition_sections()
    assert kpi_id in sections, f"{kpi_id}: docs/kpi-definitions.md has no `### {kpi_id}` section"
    sql = model_sql(catalog_row(kpi_id)["model_name"].strip())
    assert sql.relative_to(ROOT).as_posix() in sections[kpi_id], (
        f"{kpi_id}: its section in docs/kpi-definitions.md does not name "
        f"{sql.relative_to(ROOT).as_posix()}"
    )


def kpi_layer_models() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in KPI_MODELS.glob("*/kpi_*.sql"))


@pytest.mark.parametrize("path", kpi_layer_models())
def test_every_kpi_layer_model_has_its_own_unit_test(path: str):
    """Shared inputs (models/kpis/base/) included: each model's proof is the file beside it."""
    sql = ROOT / path
    document = load_yaml(sql.with_suffix(".yml"))
    assert unit_tests_of(sql.stem, document), (
        f"{sql.with_suffix('.yml').relative_to(ROOT)} holds no unit test with `model: {sql.stem}`"
    )


def test_every_kpi_model_is_in_the_catalog():
    named = {row["model_name"].strip() for row in catalog()}
    kpi_models = {
        Path(p).stem for p in kpi_layer_models() if not Path(p).stem.startswith("kpi_base_")
    }
    assert kpi_models - named == set(), "KPI models no catalog row names"
