"""Metrics by name (docs/semantic-layer.md): MetricFlow's `mf` over a warehouse.

`outcomes metrics query --metrics first_reply_time_p85 --group-by
team,metric_time__week` is `mf query` with two things settled:

- the warehouse: mf reads `<project>/target/semantic_manifest.json` and the
  profile's default target only. For the default warehouse that is the
  repository itself; for another (OUTCOMES_WAREHOUSE) it is a folder beside
  that warehouse whose `target` is the warehouse's own dbt artifacts
  (outcomes.build.target_path_for), so the manifest always matches the build
  and nothing is written inside the repository but mf's log under `logs/`;
- offline: mf asks PyPI for a newer version on every call (update_checker);
  here that check is off, like every tool of the project (no phoning home).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from outcomes.build import target_path_for
from outcomes.config import PROJECT_DIR, WAREHOUSE_ENV
from outcomes.errors import OutcomesError

PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


def mf_project_dir(warehouse: Path) -> Path:
    """The dbt project folder `mf` reads for `warehouse` (see the module doc)."""
    target = target_path_for(warehouse)
    if not (target / "semantic_manifest.json").exists():
        raise OutcomesError(
            f"{target / 'semantic_manifest.json'} does not exist: build the warehouse "
            f"{warehouse} first (`outcomes build` or `make demo`)"
        )
    if target == PROJECT_DIR / "target":
        return PROJECT_DIR
    folder = warehouse.parent / f"mf_project_{warehouse.stem}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in [*((n, PROJECT_DIR / n) for n in PROJECT_FILES), ("target", target)]:
        link = folder / name
        if link.is_symlink() and link.resolve() == source.resolve():
            continue
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(source)
    return folder


def run_mf(args: Sequence[str], warehouse: Path) -> int:
    """Run the `mf` command line in this process on `warehouse`; its exit code."""
    project = mf_project_dir(warehouse)
    os.environ[WAREHOUSE_ENV] = str(warehouse)
    os.environ["DBT_PROJECT_DIR"] = str(project)
    os.environ["DBT_PROFILES_DIR"] = str(project)
    os.environ.setdefault("DO_NOT_TRACK", "1")

    import update_checker

    # mf's only network call: a version check against pypi.org on every run.
    update_checker.UpdateChecker.check = lambda self, *args, **kwargs: None

    from dbt_metricflow.cli.main import cli

    try:
        cli.main(args=list(args), prog_name="outcomes metrics", standalone_mode=True)
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else 1
    return 0
