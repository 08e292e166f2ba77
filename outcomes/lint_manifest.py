"""Rules over the dbt manifest that sqlfluff cannot see (run by `make lint`).

- every model has a description, and every column of a published model
  (schema `marts`) is described;
- every model has a tested primary key: `unique` and `not_null` on one column;
- `source()` is called only by staging models;
- names follow the layers: stg_ in staging, int_ in intermediate,
  fct_/dim_/rpt_ in marts; a published model declares its purpose in meta.

Usage: python -m outcomes.lint_manifest [path/to/manifest.json]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from outcomes.config import PROJECT_DIR

LAYER_PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("fct_", "dim_", "rpt_"),
}


def _tested_columns(manifest: dict) -> dict[str, dict[str, set[str]]]:
    """model unique_id -> test name -> columns it is tested on."""
    tested: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or "test_metadata" not in node:
            continue
        model = node.get("attached_node")
        column = node.get("column_name") or node["test_metadata"]["kwargs"].get("column_name")
        if model and column:
            tested[model][node["test_metadata"]["name"]].add(column)
    return tested


def problems(manifest: dict) -> list[str]:
    found: list[str] = []
    tested = _tested_columns(manifest)
    for uid, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model" or node["package_name"] != "outcomes":
            continue
        name, path = node["name"], node["original_file_path"]
        layer = Path(path).parts[1] if len(Path(path).parts) > 2 else ""
        if not node.get("description", "").strip():
            found.append(f"{path}: model {name} has no description")
        if node["schema"] == "marts":
            for column, spec in node.get("columns", {}).items():
                if not spec.get("description", "").strip():
                    found.append(f"{path}: published column {name}.{column} has no description")
            if not (node.get("meta") or node.get("config", {}).get("meta", {})).get("purpose"):
                found.append(f"{path}: published model {name} declares no meta.purpose")
        keys = tested[uid]["unique"] & tested[uid]["not_null"]
        if not keys:
            found.append(f"{path}: model {name} has no primary key tested unique and not_null")
        if (
            node["depends_on"].get("nodes")
            and layer != "staging"
            and any(d.startswith("source.") for d in node["depends_on"]["nodes"])
        ):
            found.append(f"{path}: model {name} calls source() outside models/staging")
        prefixes = LAYER_PREFIXES.get(layer)
        if prefixes and not name.startswith(prefixes):
            found.append(
                f"{path}: model {name} in {layer}/ should start with {' or '.join(prefixes)}"
            )
    return found


def main(argv: list[str]) -> int:
    if argv:
        manifest_path = Path(argv[0])
    else:
        from outcomes.build import run_dbt
        from outcomes.config import warehouse_path

        run_dbt(["parse"], warehouse_path())
        manifest_path = PROJECT_DIR / "target" / "manifest.json"
    found = problems(json.loads(manifest_path.read_text()))
    for line in found:
        print(line)
    print(f"dbt manifest rules: {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
