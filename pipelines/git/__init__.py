"""Git: commits, pull request merges, release tags of local git repositories.

No credentials and no network: each repository is a clone on disk, read with
one `git log` and one `git for-each-ref` (`pipelines/git/reader.py`), tens of
thousands of commits in about a second. The columns that land, and how each
is protected, are in `policy.yml` beside this file (applied by
`pipelines/git/policy.py`); nothing else is written: no names, no emails, no
message text. A bad commit or tag (a date out of range, a required value
missing) goes to `quarantine.records`, like a bad record of any source, and
the rest of the repository loads.

Every load reads each repository whole and replaces that repository's rows
(dlt merge, delete-insert on `repository_name`): loading the same repositories
again changes nothing, and commits that vanished (a deleted branch, a rewritten
history) disappear. Repositories not named in a load are left as they are.

    from pipelines.git import load_git
    result = load_git([Path("~/src/api")], warehouse, salt, loaded_at)

It is also an ordinary source for `pipelines.common.load.load_source`: `outcomes.yml`
`git: {path: ~/src}` loads a clone, or every clone directly inside a folder;
an empty folder declares the tables empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from outcomes.config import SourceConfig
from outcomes.errors import OutcomesError
from pipelines.common.load import SourceLoad, load_source
from pipelines.common.policy import SourcePolicy, TablePolicy, load_policy
from pipelines.common.reader import TableRead
from pipelines.common.source import ReadReport, column_hints
from pipelines.git.policy import SOURCE, apply_policy, check_policy
from pipelines.git.reader import (
    DEFAULT_RELEASE_TAG_PATTERN,
    STREAMS,
    RepoRead,
    read_repositories,
    utc_naive,
)

DATASET = f"raw_{SOURCE}"

POLICY: SourcePolicy = load_policy(SOURCE)
check_policy(POLICY)

__all__ = ["DATASET", "DEFAULT_RELEASE_TAG_PATTERN", "POLICY", "git", "load_git", "repositories_in"]


def _resource(table: TablePolicy, read: TableRead) -> DltResource:
    def rows() -> list[pa.Table]:
        return [read.data]

    return dlt.resource(
        rows,
        name=table.name,
        # Each load carries every row of the repositories it read: replace those
        # repositories' rows, keep the others'. Only the merge key is declared:
        # with a primary key too, dlt deletes `where pk matches OR repository
        # matches`, which DuckDB runs as a rows x rows join (50k commits of one
        # repository: 2.5 billion pairs, tens of GB of temp files). The policy's
        # primary key is unique by construction and checked in apply_policy.
        merge_key="repository_name",
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        columns=column_hints(table),
    )


def read_tables(
    repos: Sequence[RepoRead],
    salt: bytes,
    loaded_at: dt.datetime,
    tables: Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    erased: frozenset[str] = frozenset(),
) -> list[TableRead]:
    """The policy's tables (all, or those named), built from the repositories read.

    Rows naming a person on the erasure list (`erased`, its tokens) are dropped
    and counted in `TableRead.erased`. A bad record goes to its read's
    `quarantine` (`pipelines.git.policy`), and its children in later tables
    with it.
    """
    origins = {r.name: str(r.path) for r in repos}
    quarantined: dict[str, set[tuple]] = {}
    reads = []
    for table in POLICY.tables:
        if tables is not None and table.name not in tables:
            continue
        stream = pa.concat_tables(
            [STREAMS[table.file].empty_table()] + [r.streams[table.file] for r in repos]
        )
        reads.append(
            apply_policy(
                POLICY,
                table,
                stream,
                salt,
                loaded_at,
                origins,
                since=since,
                until=until,
                erased=erased,
                quarantined=quarantined,
            )
        )
    return reads


def repositories_in(path: Path) -> list[Path]:
    """A clone (or bare repository) itself, else the clones directly inside a folder.

    An empty folder holds none (its tables land empty, like a file-export
    source with no export files); a folder with content but no repository is
    an error naming it.
    """
    if not path.exists():
        raise OutcomesError(f"git repository folder {str(path)!r} does not exist")
    if _looks_like_repository(path) or not path.is_dir():
        return [path]
    children = sorted(p for p in path.iterdir() if not p.name.startswith("."))
    found = [p for p in children if p.is_dir() and _looks_like_repository(p)]
    if children and not found:
        raise OutcomesError(
            f"{str(path)!r} is not a git repository, and no folder directly inside it is one"
        )
    return found


def _looks_like_repository(path: Path) -> bool:
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


@dlt.source(name=SOURCE, max_table_nesting=0)
def git(
    export_dir: str | list[str],
    salt: bytes,
    tables: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    loaded_at: dt.datetime | None = None,
    report: ReadReport | None = None,
    release_tag_pattern: str | None = None,
    default_branch: str | None = None,
    erased: frozenset[str] | None = None,
) -> list[DltResource]:
    """Local git repositories, one resource per table of `policy.yml`.

    `export_dir` is a list of repository paths (each must be a repository), or
    one path: a repository, or a folder whose subfolders are repositories
    (`outcomes.yml`: `git: {path: ~/src}`). The arguments after it are those
    every source takes from `pipelines.common.load.load_source`; `release_tag_pattern`
    and `default_branch` can also come from dlt config (`SOURCES__GIT__...`).
    Reads the repositories when called, so a bad path fails here with an
    `OutcomesError` naming it. `report`, when given, receives one TableRead
    per table (rows read, landed, quarantined, outside the window, erased). `erased` is the
    warehouse's erasure list (`outcomes.privacy.erasures.read_erasure_tokens`):
    commits and tags of erased people do not land.
    """
    stamp = utc_naive(loaded_at or dt.datetime.now(dt.UTC).replace(microsecond=0))
    if isinstance(export_dir, str | Path):
        paths = repositories_in(Path(export_dir))
    else:
        paths = [Path(p) for p in export_dir]
    repos = read_repositories(paths, release_tag_pattern, default_branch)
    reads = read_tables(repos, salt, stamp, tables, since, until, erased or frozenset())
    if report is not None:
        report.reads.extend(reads)
    return [_resource(read.table, read) for read in reads]


git.policy = POLICY  # type: ignore[attr-defined]


def load_git(
    repo_paths: Sequence[Path],
    warehouse: Path,
    salt: bytes,
    loaded_at: dt.datetime,
    release_tag_pattern: str | None = None,
    default_branch: str | None = None,
) -> SourceLoad:
    """Load local git repositories into `raw_git` of the warehouse, through the
    same land-gate-publish path as every source (`pipelines.common.load.load_source`).

    `release_tag_pattern` (a regular expression, searched in the tag name)
    says which tags are releases, i.e. production deployments; default
    `^v?\\d+\\.\\d+(\\.\\d+)?$`. `default_branch` names the main-line branch
    when the clone's `origin/HEAD` / HEAD does not (it applies to every path).
    A bad path fails before the warehouse is touched; a batch the quality gate
    refuses raises with the gate's report, and `raw_git` stays as it was.
    """
    if not repo_paths:
        raise OutcomesError("the git source needs at least one repository path")
    options: dict[str, object] = {"export_dir": [str(p) for p in repo_paths]}
    if release_tag_pattern is not None:
        options["release_tag_pattern"] = release_tag_pattern
    if default_branch is not None:
        options["default_branch"] = default_branch
    load = load_source(
        SourceConfig(SOURCE, Path(repo_paths[0])),
        warehouse,
        salt,
        loaded_at,
        source_options=options,
    )
    if not load.published:
        raise OutcomesError(load.gate_report())
    return load
