"""Snapshot of the asset graph: any lineage change shows in review.

Regenerate after an intended change:
    UPDATE_SNAPSHOTS=1 python -m pytest tests/orchestration/test_asset_graph.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from orchestration.definitions import defs
from outcomes.lint_manifest import LAYER_ORDER, layer_of

SNAPSHOT = Path(__file__).with_name("asset_graph.snapshot.json")


def _model_layers() -> dict[str, str]:
    """Asset key (`schema/name`) -> layer of the dbt model (docs/architecture.md)."""
    from orchestration.dbt import DBT_PROJECT

    manifest = json.loads(Path(DBT_PROJECT.manifest_path).read_text())
    return {
        f"{node['schema']}/{node['name']}": layer_of(node["original_file_path"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def graph_snapshot() -> dict:
    graph = defs.resolve_asset_graph()
    layers = _model_layers()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.path):
        node = graph.get(key)
        if not node.is_materializable:
            continue
        # dbt tests are left out: they change with every model, not with lineage.
        checks = sorted(c.name for c in node.check_keys if not _is_dbt_test(graph, c))
        assets[key.to_user_string()] = {
            "deps": sorted(p.to_user_string() for p in node.parent_keys),
            "checks": checks,
        }
        if key.to_user_string() in layers:
            assets[key.to_user_string()]["layer"] = layers[key.to_user_string()]
    return {"assets": assets}


def _is_dbt_test(graph, check_key) -> bool:
    metadata = graph.get_check_spec(check_key).metadata or {}
    return str(metadata.get("dagster_dbt/unique_id", "")).startswith("test.")


def test_asset_graph_matches_snapshot():
    current = graph_snapshot()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert current == expected, (
        "the asset graph changed; review the diff and regenerate with UPDATE_SNAPSHOTS=1"
    )


def test_no_model_reads_a_layer_downstream_of_its_own():
    """The graph flows one way: staging -> intermediate -> marts -> kpis ->
    marts/kpis -> reports (the same rule `make lint` applies to the manifest)."""
    assets = graph_snapshot()["assets"]
    order = {layer: i for i, layer in enumerate(LAYER_ORDER)}
    backwards = [
        f"{key} ({spec['layer']}) reads {dep} ({assets[dep]['layer']})"
        for key, spec in assets.items()
        if spec.get("layer") in order
        for dep in spec["deps"]
        if assets.get(dep, {}).get("layer") in order
        and order[assets[dep]["layer"]] > order[spec["layer"]]
    ]
    assert backwards == []
    assert {spec.get("layer") for spec in assets.values()} >= set(LAYER_ORDER)


def test_raw_keys_are_the_dbt_source_keys():
    """Every dbt source table is a load asset: one graph from raw table to mart."""
    graph = defs.resolve_asset_graph()
    unmaterializable = [
        k.to_user_string() for k in graph.get_all_asset_keys() if not graph.get(k).is_materializable
    ]
    assert unmaterializable == []
    staging = graph.get(
        next(k for k in graph.get_all_asset_keys() if k.path[-1] == "stg_github__pull_requests")
    )
    # its raw table, and the repositories (a deleted repository's pull requests leave staging)
    assert sorted(p.path for p in staging.parent_keys) == [
        ["raw_github", "pull_requests"],
        ["raw_github", "repositories"],
        ["staging", "stg_github__repositories"],
    ]
