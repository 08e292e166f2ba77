"""File and model names follow one scheme (docs/contributing.md), so they cannot drift.

- Property files: `_<folder>__models.yml`, `_<folder>__sources.yml`,
  `_<folder>__docs.md`, `_<folder>__seeds.yml` (the seeds folder itself is
  `seeds`), `_<what>__exposures.yml`; a model's own YAML is `<model>.yml`
  beside `<model>.sql`.
- The double underscore marks a per-source model only: `stg_<source>__x` and
  `int_<source>__x`, where `<source>` is a folder of models/staging/.
"""

from __future__ import annotations

import re
from pathlib import Path

from outcomes.config import PROJECT_DIR

MODELS = PROJECT_DIR / "models"
SEEDS = PROJECT_DIR / "seeds"
SOURCES = {p.name for p in (MODELS / "staging").iterdir() if p.is_dir()}


def _misnamed_property_file(path: Path) -> str | None:
    folder = path.parent.name
    if path.suffix == ".yml" and path.with_suffix(".sql").exists():
        return None  # the model's own YAML, beside it
    allowed = {f"_{folder}__models.yml", f"_{folder}__sources.yml", f"_{folder}__docs.md"}
    if path.is_relative_to(SEEDS):
        allowed = {f"_{folder}__seeds.yml"}
    if path.name in allowed or re.fullmatch(r"_[a-z_]+__exposures\.yml", path.name):
        return None
    return f"{path.relative_to(PROJECT_DIR)}: expected one of {sorted(allowed)}"


def test_property_files_are_named_for_their_folder():
    files = [*MODELS.rglob("*.yml"), *MODELS.rglob("*.md"), *SEEDS.rglob("*.yml")]
    assert files
    problems = [p for p in map(_misnamed_property_file, sorted(files)) if p]
    assert problems == []


def test_double_underscore_only_in_per_source_models():
    problems = []
    for sql in sorted(MODELS.rglob("*.sql")):
        name = sql.stem
        if "__" not in name:
            continue
        prefix, _, rest = name.partition("_")
        source = rest.split("__")[0]
        if prefix not in {"stg", "int"} or source not in SOURCES:
            problems.append(f"{sql.relative_to(PROJECT_DIR)}: '__' outside stg_/int_<source>__")
    assert problems == []


def test_the_rules_catch_drift():
    # The checks themselves, on names a drifting project would write.
    assert _misnamed_property_file(MODELS / "marts" / "core" / "models.yml")
    assert _misnamed_property_file(MODELS / "marts" / "core" / "__core__models.yml")
    assert _misnamed_property_file(SEEDS / "_seeds.yml")
    assert _misnamed_property_file(SEEDS / "kpis" / "_kpis__models.yml")
    assert _misnamed_property_file(MODELS / "marts" / "core" / "_core__models.yml") is None
    assert _misnamed_property_file(SEEDS / "_seeds__seeds.yml") is None


def test_unit_test_and_model_names_fit_a_postgres_identifier():
    # dbt builds a unit test's fixture as a relation named after the test;
    # Postgres refuses names over 63 characters (the Postgres build fails).
    import yaml

    problems = [
        f"{sql.relative_to(PROJECT_DIR)}: model name over 63 characters"
        for sql in MODELS.rglob("*.sql")
        if len(sql.stem) > 63
    ]
    for path in sorted(MODELS.rglob("*.yml")):
        for unit_test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []:
            if len(unit_test["name"]) > 63:
                problems.append(f"{path.relative_to(PROJECT_DIR)}: unit test {unit_test['name']}")
    assert problems == []
