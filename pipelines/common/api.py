"""The dlt source of a tool's live API, built from its policy and its streams.

A tool's `pipelines/<tool>/api.py` declares, in the tool's own terms:

- `client(api: ApiConfig) -> ApiClient`: base URL (the public API by
  default, `api.base_url` for a server or a simulator) and auth, with the
  credentials read by `secret()` from dlt's secrets;
- `STREAMS`: for each file its policy reads (`pull_requests.jsonl`, ...), a
  function `(pull: Pull) -> Iterator[dict]` yielding the API's records in
  the shape of that export (the parent's id added where the API nests a
  child under its parent's URL, as the exports do);
- `check(pull: Pull) -> list[str]`: what `outcomes sources check` says of
  the source (reachable, credentials and scopes, what would be fetched from
  when), raising `ApiError` on a failure.

Everything else is shared, here, so every tool behaves the same:

- The records of a stream go through the same policy query as an export
  (`pipelines.common.reader.read_records`), in memory: the same records land
  as the same raw rows whether they came from the API or from a file, and no
  free text is written anywhere. Tables reading the same stream (Jira issues
  and issue links; the roster's users, in raw_roster and identity) share
  one pull.
- Cursors live in dlt's source state (`dlt.current.source_state()`, kept in
  the pipeline's folder beside the warehouse): `pull.since(stream)` is the
  last cursor less the overlap window, or `start_date` on the first run;
  `pull.advance(stream, value)` moves it as records arrive.
- A cursor only counts once its batch is published: `load_source` keeps
  the state of the last published load (`commit_state`) and restores it
  before every pull (`restore_state`), so a pull that dies part way, or a
  batch the quality gate refuses, is fetched again from the same point by
  the next run: no gap, and merging by key leaves no duplicate.
- Deletions, where an API has no feed of them (Jira issues, GitHub
  deployments): `pull.known(stream)` keeps the ids landed so far, a periodic
  sweep lists the ids the source still has (`pull.sweep_due`), and
  `pull.vanished` hands back the ones gone, which the tool lands as deletion
  records (`is_deleted`) that replace their rows; staging leaves them out.
"""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import dlt
import orjson
from dlt.sources import DltResource

from outcomes.config import ApiConfig
from outcomes.errors import OutcomesError
from outcomes.privacy.pseudonym import PseudonymKind, pseudonymize
from pipelines.common.http import ApiClient
from pipelines.common.policy import SourcePolicy, TablePolicy, load_policy
from pipelines.common.reader import read_records
from pipelines.common.source import ReadReport, column_hints

Stream = Callable[["Pull"], Iterator[dict[str, Any]]]

CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PUBLISHED_STATE = "state.published.json"
DEFAULT_SWEEP_HOURS = 24
DEFAULT_SWEEP_MAX_SHARE = 0.5


# The keys of each tool's credentials its client was built with (the ones
# that had a value): when the API refuses them, `outcomes sources check`
# names these settings, the ones to fix, and never their values.
_CREDENTIALS_USED: dict[str, list[str]] = {}


def secret(tool: str, key: str, required: bool = True) -> str | None:
    """A credential from dlt's secrets: `[sources.<tool>] <key>` in
    `.dlt/secrets.toml`, or `SOURCES__<TOOL>__<KEY>` in the environment."""
    value = dlt.secrets.get(f"sources.{tool}.{key}")
    if value in (None, "") and required:
        raise OutcomesError(
            f"source {tool!r}: no {key} set: put it in .dlt/secrets.toml under "
            f'[sources.{tool}] as {key} = "...", or export {secret_env(tool, key)}'
        )
    if value in (None, ""):
        return None
    used = _CREDENTIALS_USED.setdefault(tool, [])
    if key not in used:
        used.append(key)
    return str(value)


def secret_env(tool: str, key: str) -> str:
    """The environment variable dlt reads for `[sources.<tool>] <key>`."""
    return f"SOURCES__{tool.upper()}__{key.upper()}"


def credentials_used(tool: str) -> list[str]:
    """The credential keys read (with a value) since `forget_credentials_used(tool)`."""
    return list(_CREDENTIALS_USED.get(tool, ()))


def forget_credentials_used(tool: str) -> None:
    _CREDENTIALS_USED.pop(tool, None)


def api_module(tool: str) -> ModuleType:
    try:
        return importlib.import_module(f"pipelines.{tool}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"pipelines.{tool}.api":
            raise
        raise OutcomesError(
            f"source {tool!r} has no API loader yet: give it a `path:` to its exports"
        ) from None


def parse_cursor(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def format_cursor(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime(CURSOR_FORMAT)


@dataclass
class Pull:
    """What a stream function needs: the settings, the client and its cursors."""

    source: str
    api: ApiConfig
    client: ApiClient
    full_refresh: bool = False
    _state: dict[str, Any] | None = field(default=None, repr=False)
    # The pseudonym salt of the load: state that must key records by a
    # person's identifier keys them by its pseudonym (`pseudonym`).
    salt: bytes = field(default=b"", repr=False)

    @property
    def state(self) -> dict[str, Any]:
        """This source's part of dlt's state (read while dlt extracts)."""
        if self._state is None:
            self._state = dlt.current.source_state().setdefault("outcomes", {})
        return self._state

    def pseudonym(self, value: str, kind: PseudonymKind = "account") -> str:
        """The value's pseudonym, the same as raw holds: dlt's state is a file
        beside the warehouse, so a person's login or email never keys it in clear."""
        if not self.salt:
            raise OutcomesError(f"source {self.source!r}: this pull has no pseudonym salt")
        return pseudonymize(value, self.salt, kind, self.source)

    def stream_state(self, stream: str) -> dict[str, Any]:
        """Free-form state of one stream (a sync token per calendar, ...)."""
        return self.state.setdefault("streams", {}).setdefault(stream, {})

    def since(self, stream: str) -> dt.datetime | None:
        """Fetch what changed from here: the cursor less the overlap, else start_date."""
        cursor = self.stream_state(stream).get("cursor")
        if cursor and not self.full_refresh:
            return parse_cursor(cursor) - dt.timedelta(minutes=self.api.overlap_minutes)
        if self.api.start_date:
            return dt.datetime.fromisoformat(self.api.start_date).replace(tzinfo=dt.UTC)
        return None

    def has_cursor(self, stream: str) -> bool:
        """Whether an earlier pull of this stream was published (not a first backfill)."""
        return bool(self.stream_state(stream).get("cursor")) and not self.full_refresh

    def advance(self, stream: str, value: str | dt.datetime | None) -> None:
        """Move the stream's cursor forward to `value` (never back)."""
        if value is None:
            return
        moment = parse_cursor(value) if isinstance(value, str) else value
        state = self.stream_state(stream)
        current = state.get("cursor")
        if current is None or moment > parse_cursor(current):
            state["cursor"] = format_cursor(moment)

    def setting(self, name: str, default: Any = None) -> Any:
        return self.api.setting(name, default)

    # -- deletions: a periodic sweep of the ids the source still has -------------------

    def known(self, stream: str) -> dict[str, Any]:
        """The records of a stream landed so far, by id: what a sweep compares with.

        Each value is the few fields a deletion record needs (the policy's
        required ones, never a free text or a person's value)."""
        return self.stream_state(stream).setdefault("known", {})

    def sweep_due(self, stream: str) -> bool:
        """Whether this pull sweeps the stream's ids for deletions.

        Never on a first backfill (nothing landed can be gone: it counts as the
        first sweep); then once every
        `deletion_sweep_hours` (default 24; 0: every pull; a negative value:
        never)."""
        hours = float(self.setting("deletion_sweep_hours", DEFAULT_SWEEP_HOURS))
        state = self.stream_state(stream)
        if not self.has_cursor(stream):  # the backfill is the first complete listing
            self.mark_swept(stream)
            return False
        if hours < 0:
            return False
        last = state.get("swept_at")
        if last is None or hours == 0:
            return True
        return dt.datetime.now(dt.UTC) - parse_cursor(last) >= dt.timedelta(hours=hours)

    def sweep_note(self, what: str) -> str:
        """What `outcomes sources check` says of the deletion sweep."""
        hours = float(self.setting("deletion_sweep_hours", DEFAULT_SWEEP_HOURS))
        if hours < 0:
            return f"deletions: {what} are not swept (deletion_sweep_hours < 0)"
        every = "every pull" if hours == 0 else f"every {hours:g} h"
        return f"deletions: {what} swept {every} (deletion_sweep_hours)"

    def vanished(self, stream: str, present: set[str], what: str) -> dict[str, Any]:
        """The known records a complete sweep no longer found (`present`: every id
        the source listed): forgotten here, returned to be landed as deleted.

        A sweep that would delete more than `deletion_sweep_max_share` (default
        0.5) of more than 10 known records is refused: a narrowed scope or a
        token that lost access looks the same as a mass deletion."""
        known = self.known(stream)
        gone = {key: known[key] for key in known if key not in present}
        share = float(self.setting("deletion_sweep_max_share", DEFAULT_SWEEP_MAX_SHARE))
        if len(known) > 10 and len(gone) > share * len(known):
            raise OutcomesError(
                f"source {self.source!r}: the deletion sweep of {what} found {len(gone)} of "
                f"{len(known)} known {what} gone; refused (more than {share:.0%}): check the "
                "scope and the token's access, or set api.deletion_sweep_max_share"
            )
        for key in gone:
            del known[key]
        self.mark_swept(stream)
        return gone

    def mark_swept(self, stream: str) -> None:
        """A sweep of the stream ended now: the next one is due a cadence later."""
        self.stream_state(stream)["swept_at"] = format_cursor(dt.datetime.now(dt.UTC))

    def required_setting(self, name: str) -> Any:
        value = self.api.setting(name)
        if value in (None, "", []):
            raise OutcomesError(f"source {self.source!r}: api.{name} is not set in outcomes.yml")
        return value


class _StreamCache:
    """Each stream is pulled once per load, however many tables read it, in
    whichever dataset: a load builds one source per dataset (the roster's
    users land in raw_roster and identity), and they share one cache through
    the load's report. The first pipeline to extract a stream pulls it, under
    its own cursors; the others read what it pulled."""

    def __init__(self, module: ModuleType, readers: dict[str, int]) -> None:
        self._module = module
        self._readers = dict(readers)
        self._texts: dict[str, list[str]] = {}

    @classmethod
    def of(cls, report: ReadReport, module: ModuleType, readers: dict[str, int]) -> _StreamCache:
        cache = report.__dict__.get("_api_streams")
        if cache is None or cache._module is not module:
            cache = report.__dict__["_api_streams"] = cls(module, readers)
        return cache

    def texts(self, stream: str, pull: Pull) -> list[str]:
        if stream not in self._texts:
            pull_stream: Stream = self._module.STREAMS[stream]
            self._texts[stream] = [orjson.dumps(record).decode() for record in pull_stream(pull)]
        texts = self._texts[stream]
        self._readers[stream] -= 1
        if self._readers[stream] <= 0:
            del self._texts[stream]  # the last table reading it: free the memory
        return texts


# Settings of every API source (`api:` in outcomes.yml) that bound its retries.
RETRY_SETTINGS = {"max_wait_seconds": float, "max_attempts": int}


def api_client(tool: str, api: ApiConfig) -> ApiClient:
    """A tool's client (its `client(api)`), its retries bounded by the source's
    `max_wait_seconds` and `max_attempts` where set."""
    client = api_module(tool).client(api)
    limits = {}
    for name, kind in RETRY_SETTINGS.items():
        value = api.setting(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise OutcomesError(
                f"source {tool!r}: api.{name}: expected a number more than 0, got {value!r}"
            )
        if kind is int and value != int(value):
            raise OutcomesError(
                f"source {tool!r}: api.{name}: expected a whole number, got {value!r}"
            )
        limits[name] = kind(value)
    client.limit(**limits)
    return client


def api_source(tool: str) -> Callable[..., Any]:
    """Build the dlt source of one tool's API from its policy and `STREAMS`."""
    policy: SourcePolicy = load_policy(tool)

    @dlt.source(name=tool, max_table_nesting=0)
    def source(
        api: ApiConfig,
        salt: bytes,
        tables: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        loaded_at: dt.datetime | None = None,
        report: ReadReport | None = None,
        erased: frozenset[str] | None = None,
        full_refresh: bool = False,
        client: ApiClient | None = None,
    ) -> list[DltResource]:
        module = api_module(tool)
        stamp = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        sink = report if report is not None else ReadReport()
        chosen = [t for t in policy.tables if tables is None or t.name in tables]
        missing = sorted({t.file for t in chosen} - set(module.STREAMS))
        if missing:
            raise OutcomesError(f"source {tool!r}: the API loader has no stream for {missing}")
        pull = Pull(tool, api, client or api_client(tool, api), full_refresh, salt=salt)
        readers: dict[str, int] = {}
        # a shared report: the tables of every dataset read the stream (the load
        # asks for all of them, one source per dataset); else only these
        for table in policy.tables if report is not None else chosen:
            readers[table.file] = readers.get(table.file, 0) + 1
        cache = _StreamCache.of(sink, module, readers)

        def resource(table: TablePolicy) -> DltResource:
            def rows() -> Iterator[Any]:
                texts = cache.texts(table.file, pull)
                origin = f"{tool} API {table.file.removesuffix('.jsonl')}"
                read = read_records(
                    table, tool, [(origin, texts)], salt, stamp, since, until, erased or frozenset()
                )
                sink.reads.append(read)
                yield read.data

            return dlt.resource(
                rows,
                name=table.name,
                primary_key=list(table.primary_key),
                write_disposition="merge",
                columns=column_hints(table),
            )

        return [resource(t) for t in chosen]

    source.policy = policy  # type: ignore[attr-defined]
    return source


def check_source(tool: str, api: ApiConfig, client: ApiClient | None = None) -> list[str]:
    """`outcomes sources check` for one source: lines to print, or an error raised."""
    module = api_module(tool)
    pull = Pull(tool, api, client or api_client(tool, api))
    pull._state = {}  # no pipeline: nothing is fetched, so no state is read
    return module.check(pull)


# -- cursors count once published ------------------------------------------------


def _state_files(pipelines_dir: Path, pipeline_name: str) -> tuple[Path, Path]:
    folder = pipelines_dir / pipeline_name
    return folder / "state.json", folder / PUBLISHED_STATE


def restore_state(pipelines_dir: Path, pipeline_name: str, full_refresh: bool) -> None:
    """Before a pull: the state as of the last published load (or none at all).

    Call it before dlt opens the pipeline. The pending packages of a pull that
    died go with it (their rows are fetched again from the published cursor):
    dlt would otherwise load them on the next run instead of pulling.
    """
    state, published = _state_files(pipelines_dir, pipeline_name)
    for pending in ("normalize/extracted", "load/new", "load/normalized"):
        folder = state.parent / pending
        if folder.is_dir():
            for package in folder.iterdir():
                shutil.rmtree(package, ignore_errors=True)
    if full_refresh:
        published.unlink(missing_ok=True)
    if published.exists():
        shutil.copyfile(published, state)
    else:
        state.unlink(missing_ok=True)


def commit_state(pipelines_dir: Path, pipeline_name: str) -> None:
    """After a publish: this load's cursors become the ones the next pull starts from."""
    state, published = _state_files(pipelines_dir, pipeline_name)
    if state.exists():
        tmp = published.with_suffix(".tmp")
        shutil.copyfile(state, tmp)
        tmp.replace(published)


def has_published_state(pipelines_dir: Path, pipeline_name: str) -> bool:
    """Whether a pull of this pipeline was published before (the next one is incremental)."""
    return _state_files(pipelines_dir, pipeline_name)[1].exists()
