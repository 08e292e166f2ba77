"""The one place that decides, at run time, what a run loads and where.

`outcomes.yml` (PROJECT_DIR, or `config_file`) when it exists; otherwise the
demo organisation, generated once beside the warehouse exactly as
`outcomes demo` does. Nothing here runs at import time: assets call
`OutcomesSettings.resolve()` when they execute.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from outcomes.config import PROJECT_DIR, Config, load_config, warehouse_path

DEFAULT_REPORTS_DIR = "reports"


@dataclass(frozen=True)
class Resolved:
    config: Config
    salt: bytes
    demo: bool


class OutcomesSettings(dg.ConfigurableResource):
    """Where the config, the warehouse and the report data live.

    Empty strings mean the project defaults (`outcomes.yml`, OUTCOMES_WAREHOUSE
    or `warehouse/outcomes.duckdb`, `reports`). Relative paths are
    relative to the project folder.
    """

    config_file: str = "outcomes.yml"
    warehouse: str = ""
    reports_dir: str = DEFAULT_REPORTS_DIR
    demo_people: int = 120
    demo_weeks: int = 26
    demo_seed: int = 7

    def _path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else PROJECT_DIR / path

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["OutcomesSettings"]:
        """A run holds the warehouse's run lock (outcomes.run_lock) while it
        executes: the in-process executor sets this resource up once per run,
        so no CLI run or other program writes between its steps."""
        from outcomes.run_lock import hold_warehouse

        run = context.run
        command = f"dagster run {run.run_id[:8]} ({run.job_name})" if run else "dagster"
        with hold_warehouse(self.warehouse_path(), command, on_wait=context.log.info):
            yield self

    def reports_path(self) -> Path:
        """The Evidence project; its data goes to `<reports>/static/data/`."""
        return self._path(self.reports_dir)

    def warehouse_path(self) -> Path:
        """The warehouse file alone: no salt read, no demo data generated."""
        if self.warehouse:
            return self._path(self.warehouse)
        config_path = self._path(self.config_file)
        if config_path.exists():
            return load_config(config_path).warehouse
        return warehouse_path()

    def resolve(self) -> Resolved:
        from outcomes.privacy.salt import resolve_salt

        config_path = self._path(self.config_file)
        if config_path.exists():
            config = load_config(config_path)
            if self.warehouse:
                config = Config(
                    warehouse=self._path(self.warehouse),
                    sources=config.sources,
                    min_group_size=config.min_group_size,
                    config_path=config.config_path,
                )
            return Resolved(config, resolve_salt(PROJECT_DIR), demo=False)
        from outcomes.runner import demo_config

        warehouse = self._path(self.warehouse) if self.warehouse else warehouse_path()
        exports = warehouse.parent / f"{warehouse.stem}_demo_exports"
        if not (exports / "manifest.json").exists():
            from outcomes.demo import generate

            generate(exports, people=self.demo_people, weeks=self.demo_weeks, seed=self.demo_seed)
        salt = resolve_salt(PROJECT_DIR, demo_salt_file=warehouse.parent / f"{warehouse.stem}.salt")
        return Resolved(demo_config(exports, warehouse), salt, demo=True)
