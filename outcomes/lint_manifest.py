"""Rules over the dbt manifest that sqlfluff cannot see (run by `make lint`).

- every model has a description, and every column of a published model
  (schema `marts`) is described;
- every model has a tested primary key: `unique` and `not_null` on one column;
- `source()` is called only by staging models;
- names follow the layers: stg_ in staging, int_ in intermediate,
  fct_/dim_/rpt_ in marts; a published model declares its purpose in meta;
- the semantic layer (models/semantic/): one metric per KPI catalog row,
  named by its kpi_id, described by its definition, over the weekly KPI mart
  with the aggregation its statistic allows; no metric without a catalog row
  but the DORA ones (dora_*, over fct_dora_team_weekly).

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
    "marts": ("fct_", "dim_"),
    "kpis": ("kpi_",),
    "nudges": ("nudge_",),
    "reports": ("rpt_",),
}

# The order data flows in (docs/architecture.md). A model may read its own
# layer and the layers before it, never one after it: the intermediate layer
# reads staging, seeds and intermediate only; the KPI layer reads the core
# marts; the published KPI marts read the KPI layer; reports read everything.
LAYER_ORDER = (
    "staging",
    "intermediate",
    "marts",
    "kpis",
    "marts/kpis",
    "nudges",
    "reports",
)
KPI_HELPER_PREFIX = "kpi_base_"  # shared inputs of several KPI models, not KPIs
KPI_MART = "fct_team_kpis_weekly"
DORA_MART = "fct_dora_team_weekly"
DORA_METRIC_PREFIX = "dora_"
CATALOG_SEED = "kpi_catalog"
# The measure aggregation a KPI's statistic allows (models/semantic/
# _semantic__models.yml says why): sums add up, rates and percentiles do not.
ADDITIVE_STATISTICS = ("sum", "count")


def layer_of(path: str) -> str:
    """`models/marts/kpis/x.sql` -> "marts/kpis"; `models/kpis/flow/x.sql` -> "kpis"."""
    parts = Path(path).parts
    if len(parts) < 3:
        return ""
    if parts[1] == "marts" and parts[2] == "kpis":
        return "marts/kpis"
    return parts[1]


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
        found.extend(_direction_problems(manifest, node))
    found.extend(_kpi_catalog_problems(manifest))
    found.extend(_semantic_layer_problems(manifest))
    return found


def _direction_problems(manifest: dict, node: dict) -> list[str]:
    """A model that reads a layer downstream of its own."""
    own = layer_of(node["original_file_path"])
    if own not in LAYER_ORDER:
        return []
    found = []
    for dep in node["depends_on"].get("nodes", []):
        upstream = manifest["nodes"].get(dep)
        if upstream is None or upstream["resource_type"] != "model":
            continue
        theirs = layer_of(upstream["original_file_path"])
        if theirs in LAYER_ORDER and LAYER_ORDER.index(theirs) > LAYER_ORDER.index(own):
            found.append(
                f"{node['original_file_path']}: model {node['name']} ({own}) reads "
                f"{upstream['name']} ({theirs}), a layer downstream of its own"
            )
    return found


def _catalog_rows(manifest: dict) -> tuple[dict | None, list[dict]]:
    """The kpi_catalog seed node and its rows (read from the CSV it names)."""
    import csv

    seed = next(
        (
            n
            for n in manifest["nodes"].values()
            if n["resource_type"] == "seed" and n["name"] == CATALOG_SEED
        ),
        None,
    )
    if seed is None:
        return None, []
    with (PROJECT_DIR / seed["original_file_path"]).open(newline="") as handle:
        return seed, list(csv.DictReader(handle))


def _semantic_layer_problems(manifest: dict) -> list[str]:
    """Every catalog KPI has its metric and every metric its catalog row.

    A KPI's metric is named by its kpi_id, carries the catalog definition as
    its description, reads a measure of the semantic model over the weekly KPI
    mart aggregated as the statistic allows (sum for sum/count, average for
    rates and percentiles) and filters the mart on its kpi_id. A metric no
    catalog row names must be a DORA metric (dora_*) over the DORA weekly mart.
    dbt always writes a `metrics` section; a manifest without one (the small
    hand-made manifests of tests/unit) has no semantic layer to check."""
    if "metrics" not in manifest:
        return []
    seed, rows = _catalog_rows(manifest)
    if seed is None:
        return [f"seed {CATALOG_SEED} is missing"]
    seed_path = seed["original_file_path"]
    semantic_models = {n["unique_id"]: n for n in manifest.get("semantic_models", {}).values()}
    metrics = {n["name"]: n for n in manifest.get("metrics", {}).values()}

    def read(metric: dict) -> tuple[dict | None, dict | None]:
        """The metric's semantic model and measure (simple metrics only)."""
        measure_name = ((metric.get("type_params") or {}).get("measure") or {}).get("name")
        for dep in metric.get("depends_on", {}).get("nodes", []):
            model = semantic_models.get(dep)
            if model is None:
                continue
            for measure in model.get("measures", []):
                if measure["name"] == measure_name:
                    return model, measure
        return None, None

    def mart_of(model: dict | None) -> str:
        return (model or {}).get("node_relation", {}).get("alias", "")

    found = []
    catalog = {row["kpi_id"]: row for row in rows}
    for kpi_id, row in catalog.items():
        metric = metrics.get(kpi_id)
        if metric is None:
            found.append(f"{seed_path}: KPI {kpi_id} has no metric in models/semantic/")
            continue
        where = metric["original_file_path"]
        if metric.get("type") != "simple":
            found.append(f"{where}: metric {kpi_id} should be a simple metric")
            continue
        if (metric.get("description") or "").strip() != row["definition"].strip():
            found.append(
                f"{where}: metric {kpi_id}'s description is not the definition in {seed_path}"
            )
        model, measure = read(metric)
        if mart_of(model) != KPI_MART:
            found.append(f"{where}: metric {kpi_id} does not read {KPI_MART}")
            continue
        wanted = "sum" if row["statistic"] in ADDITIVE_STATISTICS else "average"
        if measure["agg"] != wanted:
            found.append(
                f"{where}: metric {kpi_id} (statistic {row['statistic']}) aggregates with "
                f"{measure['agg']}, should be {wanted}"
            )
        filters = [
            f.get("where_sql_template", "")
            for f in ((metric.get("filter") or {}).get("where_filters") or [])
        ]
        if not any("kpi_id" in f and f"'{kpi_id}'" in f for f in filters):
            found.append(f"{where}: metric {kpi_id} does not filter the mart on kpi_id '{kpi_id}'")
    for name, metric in sorted(metrics.items()):
        if name in catalog:
            continue
        model, _ = read(metric)
        if not (name.startswith(DORA_METRIC_PREFIX) and mart_of(model) == DORA_MART):
            found.append(
                f"{metric['original_file_path']}: metric {name} has no row in {seed_path} "
                f"(only {DORA_METRIC_PREFIX}* metrics over {DORA_MART} may have none)"
            )
    return found


def _kpi_catalog_problems(manifest: dict) -> list[str]:
    """The catalog names every KPI model, every named model exists, the KPI mart
    unions exactly those, and each KPI model's YAML sits beside it."""
    models = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["package_name"] == "outcomes"
    }
    seed, rows = _catalog_rows(manifest)
    if seed is None:
        return [f"seed {CATALOG_SEED} is missing"]
    found = []
    named = set()
    for row in rows:
        model = (row.get("model_name") or "").strip()
        if not model:
            found.append(f"{seed['original_file_path']}: KPI {row['kpi_id']} names no model_name")
            continue
        named.add(model)
        if model not in models or layer_of(models[model]["original_file_path"]) != "kpis":
            found.append(
                f"{seed['original_file_path']}: KPI {row['kpi_id']} names model {model}, "
                "which is not a model under models/kpis/"
            )
    kpi_models = {
        name
        for name, n in models.items()
        if layer_of(n["original_file_path"]) == "kpis" and not name.startswith(KPI_HELPER_PREFIX)
    }
    for name in sorted(kpi_models - named):
        found.append(
            f"{models[name]['original_file_path']}: KPI model {name} is named by no row of "
            f"{seed['original_file_path']} (or name it {KPI_HELPER_PREFIX}* if it is a shared input)"
        )
    for name in sorted(kpi_models):
        node = models[name]
        beside = str(Path(node["original_file_path"]).with_suffix(".yml"))
        if (node.get("patch_path") or "").split("://")[-1] != beside:
            found.append(f"{node['original_file_path']}: its YAML should be {beside}, beside it")
    mart = models.get(KPI_MART)
    if mart is not None:
        unioned = {
            manifest["nodes"][d]["name"]
            for d in mart["depends_on"].get("nodes", [])
            if d in manifest["nodes"] and manifest["nodes"][d]["name"] in kpi_models
        }
        for name in sorted(named - unioned):
            found.append(
                f"{mart['original_file_path']}: the catalog names {name}; {KPI_MART} does not union it"
            )
        for name in sorted(unioned - named):
            found.append(f"{mart['original_file_path']}: unions {name}, which no catalog row names")
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
