"""Collection policies: which columns of a source are kept, and how.

A policy file (`pipelines/<source>/policy.yml`) is the reviewed, declarative
contract of docs/privacy.md: every column that lands is listed with its action;
anything not listed is dropped (default deny). This module parses and checks
a policy so a typo fails at once, naming the file, table and column.

The policy is also the contract of each record (pipelines.common.reader checks
it at ingest; a record that breaks it is quarantined, the others load):

- `required: true`: the field must be present (keys always are);
- a timestamp or date must lie in its range. By default a value is out of
  range before 1970-01-02 (the epoch, 1970-01-01, is what an unset number
  reads as; earlier values are sentinels such as 0001-01-01 or 1900-01-01)
  or more than one day after the load (clock skew tolerated; year 9999 is a
  "never" sentinel). A field with legitimately older dates names its own
  `earliest` (a hire date: 1950-01-01), a planned date names how far ahead it
  may lie (`ahead_days`: a due date, a meeting on the calendar);
- `values`: the vocabulary of an enumerated field, either a list (the policy
  is its one source of truth) or `{seed: <seed>, column: <column>, ...}`,
  the rows of that dbt seed for this source (`source_system`) and the other
  columns given: the same table the models map the values with, matched
  like the models match it (trimmed, case-insensitive). `values: time_zones`
  names the IANA zones the engine converts with;
- a table's `null_values` are cells that mean "no value" in that source's
  exports (ServiceNow's `?`): they are read as null before any other rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from outcomes.errors import OutcomesError

ACTIONS = {"keep", "pseudonymize", "derive", "identity"}
TYPES = {"string", "bigint", "double", "boolean", "timestamp", "epoch_ms", "date"}
# extract_number: the first capture group of the regular expression `arg`, as a
# bigint (e.g. the N of "Reverts owner/repo#N"); the text around it never lands.
DERIVATIONS = {"is_present", "starts_with", "in", "join", "count", "extract_number"}
PSEUDONYM_KINDS = {"email", "account"}
IDENTITY_SCHEMA = "identity"
# Pseudo-path of an exploded list element's position (0-based).
INDEX_PATH = "__index"
# Column every raw table gets: when this run wrote the row (source freshness).
LOADED_AT_COLUMN = "_outcomes_loaded_at"

POLICY_DIR = Path(__file__).resolve().parent.parent
# The dbt seeds a vocabulary may come from (`values: {seed: ...}`).
SEEDS_DIR = POLICY_DIR.parent / "seeds"
# The range of a timestamp or date unless its column says otherwise (see above).
DEFAULT_EARLIEST = dt.date(1970, 1, 2)
DEFAULT_AHEAD_DAYS = 1
# The quarantine reason of a required field (or key) without a value, in every reader.
MISSING_REQUIRED = "missing required field"
TIME_ZONES = "time_zones"


@dataclass(frozen=True)
class ColumnRule:
    name: str
    action: str
    path: str | None = None
    record_path: str | None = None
    type: str = "string"
    kind: str | None = None
    derive: str | None = None
    arg: Any = None
    required: bool = False
    when_column: str | None = None
    when_in: tuple[str, ...] = ()
    # strptime format of a timestamp the source writes in its own way
    # (ServiceNow's CSV export: `%d-%m-%Y %H:%M`, in UTC); else ISO 8601.
    format: str | None = None
    # The range of a timestamp or date (module docstring).
    earliest: dt.date = DEFAULT_EARLIEST
    ahead_days: int = DEFAULT_AHEAD_DAYS
    # The vocabulary of an enumerated field (empty: any value); `values_from`
    # says where it comes from, for the quarantine reason.
    values: tuple[str, ...] = ()
    values_from: str = ""
    values_ignore_case: bool = False

    @property
    def has_range(self) -> bool:
        return self.action == "keep" and self.type in {"timestamp", "epoch_ms", "date"}

    def latest(self, loaded_at: dt.datetime) -> dt.datetime:
        """The latest value in range of a timestamp or date loaded at `loaded_at`."""
        return loaded_at + dt.timedelta(days=self.ahead_days)

    @property
    def range_reasons(self) -> tuple[str, str]:
        """The quarantine reasons of a value before `earliest` and after `latest`
        (the same words in every reader, so the quality page counts them together)."""
        kind = "date" if self.type == "date" else "timestamp"
        return (
            f"{kind} before {self.earliest.isoformat()}",
            f"{kind} more than {self.ahead_days} day(s) after the load",
        )

    @property
    def has_vocabulary(self) -> bool:
        return bool(self.values) or self.values_from == TIME_ZONES

    @property
    def output_type(self) -> str:
        """The type the column lands with."""
        if self.action == "derive":
            return {"join": "string", "count": "bigint", "extract_number": "bigint"}.get(
                self.derive or "", "boolean"
            )
        if self.action in {"pseudonymize", "identity"}:
            return "string"
        return "timestamp" if self.type == "epoch_ms" else self.type


@dataclass(frozen=True)
class TablePolicy:
    name: str
    file: str
    primary_key: tuple[str, ...]
    columns: tuple[ColumnRule, ...]
    schema: str | None = None
    explode: str | None = None
    dedup_by: str | None = None
    time_field: str | None = None
    dropped: tuple[str, ...] = ()
    # A child of a work item (a PR's reviews, a ticket's events): the time
    # window applies to its parent, `(parent table, column)`, the column
    # holding the parent's primary key. A child lands when its parent does.
    window_follows: tuple[str, str] | None = None
    # Cells that mean "no value" in this source's exports, read as null.
    null_values: tuple[str, ...] = ()
    # An export may lack the file (a Jira site without Jira Software has no
    # sprints): `outcomes sources check` does not fail on it.
    optional: bool = False

    def column(self, name: str) -> ColumnRule:
        return next(c for c in self.columns if c.name == name)

    def top_level_keys(self) -> set[str]:
        """Record keys this table reads or knowingly drops (for new-column detection)."""
        keys = {_root(k) for k in self.dropped}
        if self.explode:
            keys.add(_root(self.explode))
        for column in self.columns:
            if column.record_path:
                keys.add(_root(column.record_path))
            elif column.path and not self.explode and column.path != INDEX_PATH:
                keys.add(_root(column.path))
        return keys


@dataclass(frozen=True)
class SourcePolicy:
    source: str
    purpose: str
    retention_days: int
    opt_out_allowed: bool
    tables: tuple[TablePolicy, ...]
    path: Path = field(compare=False)

    def table(self, name: str) -> TablePolicy:
        return next(t for t in self.tables if t.name == name)

    def dataset_for(self, table: TablePolicy) -> str:
        """The schema a table lands in: `raw_<source>` unless it is identity data."""
        return table.schema or f"raw_{self.source}"


def _root(path: str) -> str:
    """First key of a JSON path: `a.b[0]` -> `a`, `"urn:x:y".b` -> `"urn:x:y"`."""
    if path.startswith('"'):
        return path[: path.index('"', 1) + 1]
    return path.split(".")[0].split("[")[0]


def _fail(policy_path: Path, where: str, message: str) -> OutcomesError:
    return OutcomesError(f"policy {policy_path}: {where}: {message}")


def _parse_range(policy_path: Path, where: str, spec: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "earliest" in spec:
        earliest = spec["earliest"]
        if isinstance(earliest, dt.datetime):
            earliest = earliest.date()
        if isinstance(earliest, str):
            try:
                earliest = dt.date.fromisoformat(earliest)
            except ValueError:
                earliest = None
        if not isinstance(earliest, dt.date):
            raise _fail(policy_path, where, "`earliest` must be a date like 1950-01-01")
        found["earliest"] = earliest
    if "ahead_days" in spec:
        ahead = spec["ahead_days"]
        if not isinstance(ahead, int) or isinstance(ahead, bool) or ahead < 0:
            raise _fail(
                policy_path, where, "`ahead_days` must be a whole number of days, 0 or more"
            )
        found["ahead_days"] = ahead
    return found


def _parse_values(policy_path: Path, source: str, where: str, spec: Any) -> dict[str, Any]:
    """`values`: a list, `time_zones`, or {seed, column, <filter column>: value...}."""
    if spec is None:
        return {}
    if spec == TIME_ZONES:
        return {"values_from": TIME_ZONES}
    if isinstance(spec, list) and spec and all(isinstance(v, str | int) for v in spec):
        return {"values": tuple(str(v) for v in spec), "values_from": "the policy's values"}
    if not (isinstance(spec, dict) and {"seed", "column"} <= set(spec)):
        raise _fail(
            policy_path,
            where,
            f"`values` takes a list, {TIME_ZONES!r} or {{seed: <seed>, column: <column>, "
            "<column>: <value>...}",
        )
    seed = next(iter(sorted(SEEDS_DIR.rglob(f"{spec['seed']}.csv"))), None)
    if seed is None:
        raise _fail(policy_path, where, f"`values`: no seed {spec['seed']!r} under {SEEDS_DIR}")
    filters = {"source_system": source, **{k: str(v) for k, v in spec.items()}}
    filters.pop("seed")
    column = str(filters.pop("column"))
    with seed.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = set(rows[0]) if rows else set()
    missing = sorted(({column} | set(filters)) - header)
    if missing:
        raise _fail(policy_path, where, f"`values`: seed {seed.name} has no column(s) {missing}")
    values = sorted(
        {
            row[column].strip().lower()
            for row in rows
            if all(row[k] == v for k, v in filters.items()) and row[column].strip()
        }
    )
    if not values:
        raise _fail(policy_path, where, f"`values`: seed {seed.name} has no rows for {filters}")
    return {
        "values": tuple(values),
        "values_from": seed.relative_to(SEEDS_DIR.parent).as_posix(),
        "values_ignore_case": True,
    }


def _parse_column(
    policy_path: Path, table: str, name: str, spec: dict[str, Any], source: str = ""
) -> ColumnRule:
    where = f"table {table!r}, column {name!r}"
    if not isinstance(spec, dict):
        raise _fail(policy_path, where, "expected a mapping of settings")
    unknown = set(spec) - {
        "path",
        "record_path",
        "action",
        "type",
        "kind",
        "derive",
        "arg",
        "required",
        "when",
        "format",
        "earliest",
        "ahead_days",
        "values",
    }
    if unknown:
        raise _fail(policy_path, where, f"unknown setting(s) {sorted(unknown)}")
    action = spec.get("action")
    if action not in ACTIONS:
        raise _fail(policy_path, where, f"action must be one of {sorted(ACTIONS)}, got {action!r}")
    if bool(spec.get("path")) == bool(spec.get("record_path")):
        raise _fail(policy_path, where, "give exactly one of `path` or `record_path`")
    col_type = spec.get("type", "string")
    if col_type not in TYPES:
        raise _fail(policy_path, where, f"type must be one of {sorted(TYPES)}, got {col_type!r}")
    time_format = spec.get("format")
    if time_format is not None and col_type != "timestamp":
        raise _fail(policy_path, where, "`format` (a strptime format) is for type: timestamp")
    kind = spec.get("kind")
    if action == "pseudonymize" and kind not in PSEUDONYM_KINDS:
        raise _fail(
            policy_path, where, f"pseudonymize needs kind: one of {sorted(PSEUDONYM_KINDS)}"
        )
    derive = spec.get("derive")
    if action == "derive" and derive not in DERIVATIONS:
        raise _fail(
            policy_path, where, f"derive must be one of {sorted(DERIVATIONS)}, got {derive!r}"
        )
    if derive in {"starts_with", "in", "extract_number"} and spec.get("arg") is None:
        raise _fail(policy_path, where, f"derive {derive} needs an `arg`")
    if derive == "extract_number":
        try:
            groups = re.compile(str(spec["arg"])).groups
        except re.error as exc:
            raise _fail(policy_path, where, f"`arg` is not a regular expression: {exc}") from exc
        if groups != 1:
            raise _fail(policy_path, where, "derive extract_number needs exactly one ( ) group")
    when = spec.get("when") or {}
    if when and (set(when) != {"column", "in"} or not isinstance(when["in"], list)):
        raise _fail(policy_path, where, "`when` takes {column: <name>, in: [values]}")
    time_range = _parse_range(policy_path, where, spec)
    if time_range and not (action == "keep" and col_type in {"timestamp", "epoch_ms", "date"}):
        raise _fail(policy_path, where, "`earliest`/`ahead_days` are for kept timestamps and dates")
    vocabulary = _parse_values(policy_path, source, where, spec.get("values"))
    if vocabulary and not (action == "keep" and col_type == "string"):
        raise _fail(policy_path, where, "`values` is for kept string columns")
    return ColumnRule(
        name=name,
        action=action,
        path=spec.get("path"),
        record_path=spec.get("record_path"),
        type=col_type,
        kind=kind,
        derive=derive,
        arg=spec.get("arg"),
        required=bool(spec.get("required", False)),
        when_column=when.get("column"),
        when_in=tuple(str(v) for v in when.get("in", [])),
        format=time_format,
        **time_range,
        **vocabulary,
    )


def _parse_table(
    policy_path: Path, name: str, spec: dict[str, Any], source: str = ""
) -> TablePolicy:
    where = f"table {name!r}"
    for key in ("file", "primary_key", "columns"):
        if key not in spec:
            raise _fail(policy_path, where, f"missing `{key}`")
    columns = tuple(
        _parse_column(policy_path, name, col, col_spec, source)
        for col, col_spec in spec["columns"].items()
    )
    null_values = spec.get("null_values", [])
    if not isinstance(null_values, list) or not all(isinstance(v, str) for v in null_values):
        raise _fail(policy_path, where, "`null_values` takes a list of texts, e.g. ['?']")
    names = {c.name for c in columns}
    table = TablePolicy(
        name=name,
        file=spec["file"],
        primary_key=tuple(spec["primary_key"]),
        columns=columns,
        schema=spec.get("schema"),
        explode=spec.get("explode"),
        dedup_by=spec.get("dedup_by"),
        time_field=spec.get("time_field"),
        dropped=tuple(spec.get("dropped", [])),
        window_follows=_window_follows(policy_path, where, spec.get("window_follows")),
        null_values=tuple(null_values),
        optional=bool(spec.get("optional", False)),
    )
    if table.window_follows and table.window_follows[1] not in names:
        raise _fail(
            policy_path, where, f"window_follows: {table.window_follows[1]!r} is not a column"
        )
    for key in (*table.primary_key, table.dedup_by, table.time_field):
        if key is not None and key not in names:
            raise _fail(policy_path, where, f"{key!r} is not one of its columns")
    for column in columns:
        if column.record_path and not table.explode:
            raise _fail(
                policy_path,
                f"{where}, column {column.name!r}",
                "`record_path` only makes sense in a table with `explode`",
            )
        if column.when_column and column.when_column not in names:
            raise _fail(
                policy_path,
                f"{where}, column {column.name!r}",
                f"`when` refers to unknown column {column.when_column!r}",
            )
        if column.action == "identity" and table.schema != IDENTITY_SCHEMA:
            raise _fail(
                policy_path,
                f"{where}, column {column.name!r}",
                f"action identity (clear-text people data) is only allowed in "
                f"tables with schema: {IDENTITY_SCHEMA}",
            )
    return table


def _window_follows(policy_path: Path, where: str, spec: Any) -> tuple[str, str] | None:
    if spec is None:
        return None
    if not isinstance(spec, dict) or set(spec) != {"table", "column"}:
        raise _fail(policy_path, where, "`window_follows` takes {table: <parent>, column: <key>}")
    return str(spec["table"]), str(spec["column"])


def _check_parents(path: Path, tables: tuple[TablePolicy, ...]) -> None:
    by_name = {t.name: t for t in tables}
    for table in tables:
        if table.window_follows is None:
            continue
        parent_name, column = table.window_follows
        parent = by_name.get(parent_name)
        if parent is None or parent.primary_key != (column,):
            raise _fail(
                path,
                f"table {table.name!r}",
                f"window_follows: {parent_name!r} must be a table of this policy "
                f"whose primary key is [{column}]",
            )


def load_policy(source: str, policy_dir: Path = POLICY_DIR) -> SourcePolicy:
    """Parse and check `pipelines/<source>/policy.yml`."""
    path = policy_dir / source / "policy.yml"
    if not path.exists():
        raise OutcomesError(f"no collection policy for source {source!r} (expected {path})")
    spec = yaml.safe_load(path.read_text())
    if spec.get("source") != source:
        raise _fail(path, "top level", f"`source` must be {source!r}")
    for key in ("purpose", "retention_days", "tables"):
        if key not in spec:
            raise _fail(path, "top level", f"missing `{key}`")
    tables = tuple(_parse_table(path, n, t, source) for n, t in spec["tables"].items())
    _check_parents(path, tables)
    return SourcePolicy(
        source=source,
        purpose=spec["purpose"],
        retention_days=int(spec["retention_days"]),
        opt_out_allowed=bool(spec.get("opt_out_allowed", False)),
        tables=tables,
        path=path,
    )
