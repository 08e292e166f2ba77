"""The one file a user edits: `outcomes.yml`.

It says which sources to load, from where, over which time window, and the
privacy threshold. Secrets never live here (see `outcomes.privacy.salt`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from outcomes.errors import OutcomesError

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAREHOUSE_ENV = "OUTCOMES_WAREHOUSE"
DEFAULT_WAREHOUSE = Path("warehouse/outcomes.duckdb")
# Loaded in this order: the roster first, so a run that fails on a tool
# export still leaves the people and teams in place.
KNOWN_SOURCES = (
    "roster",
    "github",
    "jira",
    "pagerduty",
    "zendesk",
    "hubspot",
    "calendar",
    "git",
)
# Sources the demo generator writes exports for (git is read from real clones).
DEMO_SOURCES = KNOWN_SOURCES[:-1]
MIN_GROUP_SIZE_FLOOR = 5


@dataclass(frozen=True)
class SourceConfig:
    name: str
    path: Path
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class Config:
    warehouse: Path
    sources: tuple[SourceConfig, ...]
    min_group_size: int = MIN_GROUP_SIZE_FLOOR
    config_path: Path | None = field(default=None, compare=False)


# DuckDB names a database file's catalog after its stem; these names are its
# own (`main` is also the default schema: dbt's `main.intermediate.x` would
# then read as a nested schema and the build fails with an engine error).
RESERVED_WAREHOUSE_STEMS = frozenset({"main", "memory", "system", "temp"})


def warehouse_path(configured: str | Path | None = None) -> Path:
    """OUTCOMES_WAREHOUSE wins, then the config file, then the default."""
    chosen = os.environ.get(WAREHOUSE_ENV) or configured or DEFAULT_WAREHOUSE
    path = Path(chosen)
    if path.stem.lower() in RESERVED_WAREHOUSE_STEMS:
        where = WAREHOUSE_ENV if os.environ.get(WAREHOUSE_ENV) else "warehouse in outcomes.yml"
        raise OutcomesError(
            f"{where} is {str(chosen)!r}: DuckDB reserves the database name {path.stem!r}; "
            "name the file something else (e.g. outcomes.duckdb)"
        )
    return path if path.is_absolute() else (PROJECT_DIR / path)


def check_min_group_size(value: Any, where: str) -> int:
    """k may be raised, never lowered below 5 (PRIVACY.md)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise OutcomesError(
            f"{where}: privacy.min_group_size must be a whole number, got {value!r}"
        )
    if value < MIN_GROUP_SIZE_FLOOR:
        raise OutcomesError(
            f"{where}: privacy.min_group_size is {value}, but it can never be set below "
            f"{MIN_GROUP_SIZE_FLOOR}: smaller groups would expose individuals"
        )
    return value


def _date_text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise OutcomesError(f"{where}: expected a date like 2026-01-31, got {value!r}") from exc


def _check_dir(path: Path, where: str) -> Path:
    if not path.is_dir():
        raise OutcomesError(
            f"{where}: export folder {str(path)!r} does not exist or is not a folder"
        )
    return path


def source_config(name: str, spec: dict[str, Any], base: Path, where: str) -> SourceConfig:
    if name not in KNOWN_SOURCES:
        raise OutcomesError(
            f"{where}: unknown source {name!r}; known sources: {', '.join(KNOWN_SOURCES)}"
        )
    if not isinstance(spec, dict) or "path" not in spec:
        raise OutcomesError(f"{where}: source {name!r} needs a `path` to its export folder")
    unknown = set(spec) - {"path", "since", "until"}
    if unknown:
        raise OutcomesError(f"{where}: source {name!r} has unknown setting(s) {sorted(unknown)}")
    path = Path(spec["path"]).expanduser()
    path = path if path.is_absolute() else base / path
    return SourceConfig(
        name=name,
        path=_check_dir(path, f"{where}: source {name!r}"),
        since=_date_text(spec.get("since"), f"{where}: source {name!r} since"),
        until=_date_text(spec.get("until"), f"{where}: source {name!r} until"),
    )


def load_config(path: Path) -> Config:
    """Parse and check `outcomes.yml`; every error names the file and the setting."""
    if not path.exists():
        raise OutcomesError(f"config file {str(path)!r} not found (copy outcomes.example.yml)")
    try:
        spec = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise OutcomesError(f"{path}: not valid YAML ({exc})") from exc
    where = str(path)
    unknown = set(spec) - {"warehouse", "sources", "privacy"}
    if unknown:
        raise OutcomesError(f"{where}: unknown top-level setting(s) {sorted(unknown)}")
    sources_spec = spec.get("sources") or {}
    if not sources_spec:
        raise OutcomesError(f"{where}: no sources configured under `sources:`")
    base = path.resolve().parent
    privacy = spec.get("privacy") or {}
    k = check_min_group_size(privacy.get("min_group_size", MIN_GROUP_SIZE_FLOOR), where)
    sources = tuple(
        source_config(name, s, base, where)
        for name, s in sorted(sources_spec.items(), key=lambda kv: _order(kv[0]))
    )
    return Config(
        warehouse=warehouse_path(spec.get("warehouse")),
        sources=sources,
        min_group_size=k,
        config_path=path,
    )


def _order(name: str) -> int:
    return KNOWN_SOURCES.index(name) if name in KNOWN_SOURCES else len(KNOWN_SOURCES)
