"""The one file a user edits: `outcomes.yml`.

It says which sources to load, from where, over which time window, and the
privacy threshold. Secrets never live here (see `outcomes.privacy.salt`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
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
    "servicenow",
    "hubspot",
    "calendar",
    "git",
)
# Sources the demo generator writes exports for (git is read from real clones;
# ServiceNow has no demo generator: only real CSV exports).
DEMO_SOURCES = tuple(name for name in KNOWN_SOURCES if name not in {"servicenow", "git"})
MIN_GROUP_SIZE_FLOOR = 5


# The overlap window of incremental pulls: each run asks again for what
# changed in the last hour before the cursor, so an update committed late
# (an API's eventual consistency, clock skew) is not missed; merging by key
# makes the repeat harmless.
DEFAULT_OVERLAP_MINUTES = 60


@dataclass(frozen=True)
class ApiConfig:
    """`api:` of a source in outcomes.yml: pull from the tool's REST API.

    `scope` holds the tool's own settings (an organization or repositories,
    a JQL, calendars, ...), checked by the tool's `pipelines/<tool>/api.py`;
    credentials never live here (dlt secrets: `.dlt/secrets.toml`
    `[sources.<tool>]` or `SOURCES__<TOOL>__<KEY>` in the environment).
    """

    base_url: str | None = None
    start_date: str | None = None
    overlap_minutes: int = DEFAULT_OVERLAP_MINUTES
    scope: tuple[tuple[str, Any], ...] = ()

    def setting(self, name: str, default: Any = None) -> Any:
        return dict(self.scope).get(name, default)


@dataclass(frozen=True)
class SourceConfig:
    """One source: an export folder (`path`) or a live API (`api`)."""

    name: str
    path: Path | None = None
    since: str | None = None
    until: str | None = None
    api: ApiConfig | None = None
    full_refresh: bool = False
    # Settings of one source's own (SOURCE_SETTINGS), passed to its loader.
    options: tuple[tuple[str, Any], ...] = ()


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
    """k may be raised, never lowered below 5 (docs/privacy.md)."""
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


# Settings only some sources take, passed to the source's loader as they are.
# git: release_tag_pattern, a regular expression searched in each tag name,
# says which tags are releases (production deployments); default
# pipelines.git.reader.DEFAULT_RELEASE_TAG_PATTERN, version tags such as
# v1.2, 1.2.3 or v10.0.1. default_branch names the main line when the clone's
# origin/HEAD and HEAD do not.
SOURCE_SETTINGS: dict[str, tuple[str, ...]] = {"git": ("release_tag_pattern", "default_branch")}


def _source_options(name: str, spec: dict[str, Any], where: str) -> tuple[tuple[str, Any], ...]:
    options = []
    for key in SOURCE_SETTINGS.get(name, ()):
        if key not in spec:
            continue
        value = spec[key]
        if not isinstance(value, str) or not value:
            raise OutcomesError(f"{where}: source {name!r} {key}: expected text, got {value!r}")
        if key == "release_tag_pattern":
            try:
                re.compile(value)
            except re.error as exc:
                raise OutcomesError(
                    f"{where}: source {name!r} release_tag_pattern {value!r} is not a valid "
                    f"regular expression: {exc}"
                ) from exc
        options.append((key, value))
    return tuple(options)


def source_config(name: str, spec: dict[str, Any], base: Path, where: str) -> SourceConfig:
    if name not in KNOWN_SOURCES:
        raise OutcomesError(
            f"{where}: unknown source {name!r}; known sources: {', '.join(KNOWN_SOURCES)}"
        )
    if not isinstance(spec, dict) or ("path" in spec) == ("api" in spec):
        raise OutcomesError(
            f"{where}: source {name!r} needs either a `path` to its export folder "
            "or an `api:` block (base_url, scope, start_date)"
        )
    unknown = set(spec) - {"path", "since", "until", "api", *SOURCE_SETTINGS.get(name, ())}
    if unknown:
        raise OutcomesError(f"{where}: source {name!r} has unknown setting(s) {sorted(unknown)}")
    since = _date_text(spec.get("since"), f"{where}: source {name!r} since")
    until = _date_text(spec.get("until"), f"{where}: source {name!r} until")
    if "api" in spec:
        return SourceConfig(
            name=name, since=since, until=until, api=api_config(name, spec["api"], where)
        )
    path = Path(spec["path"]).expanduser()
    path = path if path.is_absolute() else base / path
    return SourceConfig(
        name=name,
        path=_check_dir(path, f"{where}: source {name!r}"),
        since=since,
        until=until,
        options=_source_options(name, spec, where),
    )


def api_config(name: str, spec: Any, where: str) -> ApiConfig:
    """The `api:` block of a source; the tool's own scope keys are checked by its loader."""
    at = f"{where}: source {name!r} api"
    if not isinstance(spec, dict):
        raise OutcomesError(f"{at}: expected a mapping (base_url, start_date, scope settings)")
    base_url = spec.get("base_url")
    if base_url is not None and not str(base_url).startswith(("http://", "https://")):
        raise OutcomesError(f"{at}.base_url: expected an http(s) URL, got {base_url!r}")
    overlap = spec.get("overlap_minutes", DEFAULT_OVERLAP_MINUTES)
    if isinstance(overlap, bool) or not isinstance(overlap, int) or overlap < 0:
        raise OutcomesError(f"{at}.overlap_minutes: expected minutes (0 or more), got {overlap!r}")
    secrets = {k for k in spec if k in SECRET_LIKE_SETTINGS}
    if secrets:
        raise OutcomesError(
            f"{at}: {sorted(secrets)} is a credential and never lives in outcomes.yml: put it in "
            f".dlt/secrets.toml [sources.{name}] or SOURCES__{name.upper()}__<KEY>"
        )
    scope = {
        k: v for k, v in spec.items() if k not in {"base_url", "start_date", "overlap_minutes"}
    }
    return ApiConfig(
        base_url=str(base_url).rstrip("/") if base_url else None,
        start_date=_date_text(spec.get("start_date"), f"{at}.start_date"),
        overlap_minutes=overlap,
        scope=tuple(sorted(scope.items(), key=lambda kv: kv[0])),
    )


SECRET_LIKE_SETTINGS = frozenset(
    {"token", "access_token", "api_token", "api_key", "password", "secret", "client_secret"}
)


class _ConfigLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a date-like value that is no date
    (`2026-13-01`) stays text, so the setting's own check names it; PyYAML
    would raise a bare ValueError with no file or setting."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def load_config(path: Path) -> Config:
    """Parse and check `outcomes.yml`; every error names the file and the setting."""
    if not path.exists():
        raise OutcomesError(f"config file {str(path)!r} not found (copy outcomes.example.yml)")
    try:
        spec = yaml.load(path.read_text(), Loader=_ConfigLoader) or {}  # a SafeLoader
    except yaml.YAMLError as exc:
        raise OutcomesError(f"{path}: not valid YAML ({exc})") from exc
    where = str(path)
    unknown = set(spec) - {"warehouse", "sources", "privacy", "nudges"}
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
