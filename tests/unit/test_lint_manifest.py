"""The manifest lint's rules on small hand-made manifests (outcomes/lint_manifest.py, #15).

Each test builds the few nodes a rule looks at, the way `dbt parse` writes
them (unique_id, original_file_path, patch_path, depends_on.nodes), and
asserts the exact problems the rule reports:

- direction: a model may read its own layer and the layers before it
  (staging -> intermediate -> marts -> kpis -> marts/kpis -> reports), never
  one after it;
- the KPI catalog: every row names a model under models/kpis/, every KPI
  model (not a kpi_base_* shared input) is named by a row, each KPI model's
  YAML sits beside it, and fct_team_kpis_weekly unions exactly the models
  the catalog names.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from outcomes import lint_manifest
from outcomes.lint_manifest import _direction_problems, _kpi_catalog_problems, layer_of, problems

CATALOG_PATH = "seeds/kpis/kpi_catalog.csv"


def model(name: str, path: str, reads: tuple[str, ...] = (), yml: str | None = "beside") -> dict:
    """A model node; `yml` is its YAML's path, "beside" = the .yml next to the SQL."""
    patch = str(Path(path).with_suffix(".yml")) if yml == "beside" else yml
    layer = layer_of(path)
    return {
        "unique_id": f"model.outcomes.{name}",
        "resource_type": "model",
        "package_name": "outcomes",
        "name": name,
        "original_file_path": path,
        "patch_path": f"outcomes://{patch}" if patch else None,
        "schema": {"marts/kpis": "marts", "kpis": "kpis"}.get(layer, layer),
        "description": f"The {name} model.",
        "meta": {"purpose": "test"},
        "columns": {"id": {"name": "id", "description": "Primary key."}},
        "depends_on": {"nodes": list(reads), "macros": []},
    }


def seed(name: str, path: str) -> dict:
    return {
        "unique_id": f"seed.outcomes.{name}",
        "resource_type": "seed",
        "package_name": "outcomes",
        "name": name,
        "original_file_path": path,
        "depends_on": {"nodes": []},
    }


def key_tests(model_node: dict) -> list[dict]:
    """unique + not_null on `id`: the tested primary key every model needs."""
    return [
        {
            "unique_id": f"test.outcomes.{kind}_{model_node['name']}_id",
            "resource_type": "test",
            "package_name": "outcomes",
            "name": f"{kind}_{model_node['name']}_id",
            "attached_node": model_node["unique_id"],
            "column_name": "id",
            "test_metadata": {"name": kind, "kwargs": {"column_name": "id"}},
            "depends_on": {"nodes": [model_node["unique_id"]]},
        }
        for kind in ("unique", "not_null")
    ]


def manifest_of(*nodes: dict) -> dict:
    everything = {}
    for node in nodes:
        everything[node["unique_id"]] = node
        if node["resource_type"] == "model":
            for test in key_tests(node):
                everything[test["unique_id"]] = test
    return {"nodes": everything}


def uid(name: str) -> str:
    return f"model.outcomes.{name}"


# ---------------------------------------------------------------- layer_of


@pytest.mark.parametrize(
    ("path", "layer"),
    [
        ("models/staging/github/stg_github__pull_requests.sql", "staging"),
        ("models/intermediate/people/int_people.sql", "intermediate"),
        ("models/marts/core/fct_work_items.sql", "marts"),
        ("models/marts/engineering/fct_deployments.sql", "marts"),
        ("models/kpis/flow/kpi_task_cycle_time.sql", "kpis"),
        ("models/kpis/base/kpi_base_team_weeks.sql", "kpis"),
        ("models/marts/kpis/fct_team_kpis_weekly.sql", "marts/kpis"),
        ("models/reports/rpt_team_kpis.sql", "reports"),
        ("models/loose.sql", ""),
    ],
)
def test_layer_of(path: str, layer: str):
    assert layer_of(path) == layer


# ---------------------------------------------------------------- direction

STG = model("stg_roster__users", "models/staging/roster/stg_roster__users.sql")
INT = model("int_people", "models/intermediate/people/int_people.sql", (uid(STG["name"]),))
DIM = model("dim_people", "models/marts/core/dim_people.sql", (uid("int_people"),))
KPI = model("kpi_a", "models/kpis/flow/kpi_a.sql", (uid("dim_people"),))
MART = model("fct_team_kpis_weekly", "models/marts/kpis/fct_team_kpis_weekly.sql", (uid("kpi_a"),))
RPT = model("rpt_team_kpis", "models/reports/rpt_team_kpis.sql", (uid(MART["name"]),))
CHAIN = (STG, INT, DIM, KPI, MART, RPT)


def test_direction_data_flowing_downstream_is_clean():
    """Each layer reads the one before it; reports may read any layer before them."""
    reports_reads_all = model(
        "rpt_all",
        "models/reports/rpt_all.sql",
        tuple(n["unique_id"] for n in CHAIN if n is not RPT),
    )
    manifest = manifest_of(*CHAIN, reports_reads_all)
    for node in (*CHAIN, reports_reads_all):
        assert _direction_problems(manifest, node) == [], node["name"]


def test_direction_own_layer_and_seeds_are_allowed():
    mapping = seed("status_mapping", "seeds/work_items/status_mapping.csv")
    other = model(
        "int_accounts_mapped",
        "models/intermediate/identity/int_accounts_mapped.sql",
        (uid("int_people"), mapping["unique_id"]),
    )
    manifest = manifest_of(*CHAIN, mapping, other)
    assert _direction_problems(manifest, other) == []


def test_direction_flags_intermediate_reading_a_mart():
    """The issue's example: int_accounts_mapped read dim_people."""
    mapped = model(
        "int_accounts_mapped",
        "models/intermediate/identity/int_accounts_mapped.sql",
        (uid("dim_people"), uid("stg_roster__users")),
    )
    manifest = manifest_of(*CHAIN, mapped)
    assert _direction_problems(manifest, mapped) == [
        "models/intermediate/identity/int_accounts_mapped.sql: model int_accounts_mapped "
        "(intermediate) reads dim_people (marts), a layer downstream of its own"
    ]


@pytest.mark.parametrize(
    ("reader", "read", "reader_layer", "read_layer"),
    [
        # A core mart reading the published KPI mart: marts comes before marts/kpis.
        ("models/marts/core/fct_x.sql", "fct_team_kpis_weekly", "marts", "marts/kpis"),
        # A KPI model reading the mart that unions the KPIs.
        ("models/kpis/flow/kpi_x.sql", "fct_team_kpis_weekly", "kpis", "marts/kpis"),
        # A core mart reading a KPI model.
        ("models/marts/core/fct_x.sql", "kpi_a", "marts", "kpis"),
        # Staging reading intermediate; the published mart reading a report.
        ("models/staging/roster/stg_x.sql", "int_people", "staging", "intermediate"),
        ("models/marts/kpis/fct_x.sql", "rpt_team_kpis", "marts/kpis", "reports"),
    ],
)
def test_direction_flags_every_upstream_reading_downstream(
    reader: str, read: str, reader_layer: str, read_layer: str
):
    name = Path(reader).stem
    node = model(name, reader, (uid(read),))
    manifest = manifest_of(*CHAIN, node)
    assert _direction_problems(manifest, node) == [
        f"{reader}: model {name} ({reader_layer}) reads {read} ({read_layer}), "
        "a layer downstream of its own"
    ]


def test_direction_names_each_wrong_read_once():
    node = model(
        "int_x",
        "models/intermediate/x/int_x.sql",
        (uid("stg_roster__users"), uid("dim_people"), uid("kpi_a")),
    )
    manifest = manifest_of(*CHAIN, node)
    found = _direction_problems(manifest, node)
    assert [line.split(" reads ")[1].split(" ")[0] for line in found] == ["dim_people", "kpi_a"]


def test_direction_skips_models_outside_the_layers_and_unknown_nodes():
    loose = model("loose", "models/loose.sql", (uid("rpt_team_kpis"),))
    reads_missing = model("int_y", "models/intermediate/x/int_y.sql", ("model.other.gone",))
    manifest = manifest_of(*CHAIN, loose, reads_missing)
    assert _direction_problems(manifest, loose) == []
    assert _direction_problems(manifest, reads_missing) == []


# ---------------------------------------------------------------- KPI catalog


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder the lint reads the catalog seed from."""
    monkeypatch.setattr(lint_manifest, "PROJECT_DIR", tmp_path)
    return tmp_path


def write_catalog(project: Path, rows: list[tuple[str, str]]) -> None:
    path = project / CATALOG_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kpi_id", "kpi_name", "model_name"])
        for kpi_id, model_name in rows:
            writer.writerow([kpi_id, kpi_id.replace("_", " "), model_name])


CATALOG_SEED = seed("kpi_catalog", CATALOG_PATH)
KPI_A = model("kpi_a", "models/kpis/flow/kpi_a.sql")
KPI_B = model("kpi_b", "models/kpis/quality/kpi_b.sql")
KPI_BASE = model("kpi_base_weeks", "models/kpis/base/kpi_base_weeks.sql", yml=None)
CORE = model("fct_work_items", "models/marts/core/fct_work_items.sql")
CLEAN_ROWS = [("a_p50", "kpi_a"), ("a_p85", "kpi_a"), ("b_rate", "kpi_b")]


def kpi_mart(*reads: str) -> dict:
    return model(
        "fct_team_kpis_weekly",
        "models/marts/kpis/fct_team_kpis_weekly.sql",
        tuple(uid(r) for r in reads),
        yml="models/marts/kpis/_kpis__models.yml",
    )


def clean_nodes() -> list[dict]:
    return [
        CATALOG_SEED,
        KPI_A,
        KPI_B,
        KPI_BASE,
        CORE,
        kpi_mart("kpi_a", "kpi_b", "kpi_base_weeks"),
    ]


def test_catalog_clean_project_has_no_problems(project: Path):
    """Two rows may name one model (a p50/p85 pair); kpi_base_* needs no row, nor its YAML beside it."""
    write_catalog(project, CLEAN_ROWS)
    manifest = manifest_of(*clean_nodes())
    assert _kpi_catalog_problems(manifest) == []
    assert problems(manifest) == []


def test_catalog_row_without_a_model_name(project: Path):
    write_catalog(project, [*CLEAN_ROWS, ("c_rate", "  ")])
    assert _kpi_catalog_problems(manifest_of(*clean_nodes())) == [
        f"{CATALOG_PATH}: KPI c_rate names no model_name"
    ]


def test_catalog_row_naming_a_missing_model_or_one_outside_the_kpi_layer(project: Path):
    write_catalog(project, [*CLEAN_ROWS, ("c_rate", "kpi_c"), ("d_rate", "fct_work_items")])
    found = _kpi_catalog_problems(manifest_of(*clean_nodes()))
    assert found[:2] == [
        f"{CATALOG_PATH}: KPI c_rate names model kpi_c, which is not a model under models/kpis/",
        f"{CATALOG_PATH}: KPI d_rate names model fct_work_items, "
        "which is not a model under models/kpis/",
    ]
    # The mart cannot union what does not exist: named and not unioned.
    assert found[2:] == [
        "models/marts/kpis/fct_team_kpis_weekly.sql: the catalog names fct_work_items; "
        "fct_team_kpis_weekly does not union it",
        "models/marts/kpis/fct_team_kpis_weekly.sql: the catalog names kpi_c; "
        "fct_team_kpis_weekly does not union it",
    ]


def test_catalog_kpi_model_no_row_names(project: Path):
    write_catalog(project, [("a_p50", "kpi_a")])
    nodes = [CATALOG_SEED, KPI_A, KPI_B, KPI_BASE, kpi_mart("kpi_a")]
    assert _kpi_catalog_problems(manifest_of(*nodes)) == [
        "models/kpis/quality/kpi_b.sql: KPI model kpi_b is named by no row of "
        f"{CATALOG_PATH} (or name it kpi_base_* if it is a shared input)"
    ]


@pytest.mark.parametrize(
    "yml", ["models/kpis/_kpis__models.yml", "models/kpis/flow/kpi_other.yml", None]
)
def test_catalog_kpi_yaml_not_beside_its_model(project: Path, yml: str | None):
    """A shared YAML, a YAML of another name, or none at all."""
    write_catalog(project, CLEAN_ROWS)
    moved = model("kpi_a", "models/kpis/flow/kpi_a.sql", yml=yml)
    nodes = [CATALOG_SEED, moved, KPI_B, KPI_BASE, kpi_mart("kpi_a", "kpi_b")]
    assert _kpi_catalog_problems(manifest_of(*nodes)) == [
        "models/kpis/flow/kpi_a.sql: its YAML should be models/kpis/flow/kpi_a.yml, beside it"
    ]


def test_catalog_mart_missing_a_catalog_model(project: Path):
    write_catalog(project, CLEAN_ROWS)
    nodes = [CATALOG_SEED, KPI_A, KPI_B, KPI_BASE, kpi_mart("kpi_a", "kpi_base_weeks")]
    assert _kpi_catalog_problems(manifest_of(*nodes)) == [
        "models/marts/kpis/fct_team_kpis_weekly.sql: the catalog names kpi_b; "
        "fct_team_kpis_weekly does not union it"
    ]


def test_catalog_mart_unioning_a_model_no_row_names(project: Path):
    write_catalog(project, [("a_p50", "kpi_a")])
    nodes = [CATALOG_SEED, KPI_A, KPI_B, kpi_mart("kpi_a", "kpi_b")]
    assert _kpi_catalog_problems(manifest_of(*nodes)) == [
        "models/kpis/quality/kpi_b.sql: KPI model kpi_b is named by no row of "
        f"{CATALOG_PATH} (or name it kpi_base_* if it is a shared input)",
        "models/marts/kpis/fct_team_kpis_weekly.sql: unions kpi_b, which no catalog row names",
    ]


def test_catalog_seed_missing(project: Path):
    assert _kpi_catalog_problems(manifest_of(KPI_A, kpi_mart("kpi_a"))) == [
        "seed kpi_catalog is missing"
    ]


def test_problems_reports_direction_and_catalog_rules(project: Path):
    """Both rules run inside problems(), the entry point of `make lint`."""
    write_catalog(project, [("a_p50", "kpi_a")])
    wrong_way = model(
        "fct_work_items",
        "models/marts/core/fct_work_items.sql",
        (uid("kpi_a"),),
    )
    nodes = [CATALOG_SEED, KPI_A, KPI_B, wrong_way, kpi_mart("kpi_a")]
    assert problems(manifest_of(*nodes)) == [
        "models/marts/core/fct_work_items.sql: model fct_work_items (marts) reads kpi_a "
        "(kpis), a layer downstream of its own",
        "models/kpis/quality/kpi_b.sql: KPI model kpi_b is named by no row of "
        f"{CATALOG_PATH} (or name it kpi_base_* if it is a shared input)",
    ]
