"""Git: commits, pull request merges, release tags of local git repositories.

No credentials and no network: each repository is a clone on disk, read with
one `git log` and one `git for-each-ref` (`pipelines/git/reader.py`), tens of
thousands of commits in about a second. The columns that land, and how each
is protected, are in `policy.yml` beside this file (applied by
`pipelines/git/policy.py`); nothing else is written: no names, no emails, no
message text.

Every load reads each repository whole and replaces that repository's rows
(dlt merge, delete-insert on `repository_name`): loading the same repositories
again changes nothing, and commits that vanished (a deleted branch, a rewritten
history) disappear. Repositories not named in a load are left as they are.

    from pipelines.git import load_git
    result = load_git([Path("~/src/api")], warehouse, salt, loaded_at)
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from outcomes.errors import OutcomesError
from outcomes.load import SourceLoad, pipelines_dir
from outcomes.warehouse import ensure_warehouse
from pipelines.common.policy import SourcePolicy, TablePolicy, load_policy
from pipelines.common.reader import TableRead
from pipelines.common.source import ReadReport, column_hints
from pipelines.git.policy import SOURCE, apply_policy, check_policy
from pipelines.git.reader import DEFAULT_RELEASE_TAG_PATTERN, RepoRead, read_repositories, utc_naive

DATASET = f"raw_{SOURCE}"
PIPELINE_NAME = f"outcomes_{SOURCE}_{DATASET}"

POLICY: SourcePolicy = load_policy(SOURCE)
check_policy(POLICY)

__all__ = ["DATASET", "DEFAULT_RELEASE_TAG_PATTERN", "POLICY", "git", "load_git"]


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


def read_tables(repos: Sequence[RepoRead], salt: bytes, loaded_at: dt.datetime) -> list[TableRead]:
    """Every table of the policy, built from the repositories read."""
    files = [str(r.path) for r in repos]
    reads = []
    for table in POLICY.tables:
        stream = pa.concat_tables([r.streams[table.file] for r in repos])
        reads.append(apply_policy(POLICY, table, stream, salt, loaded_at, files))
    return reads


@dlt.source(name=SOURCE, max_table_nesting=0)
def git(
    repo_paths: list[str],
    salt: bytes,
    loaded_at: dt.datetime | None = None,
    release_tag_pattern: str | None = None,
    default_branch: str | None = None,
    report: ReadReport | None = None,
) -> list[DltResource]:
    """Local git repositories, one resource per table of `policy.yml`.

    Reads the repositories when called (so a bad path fails here, with an
    `OutcomesError` naming it). `report`, when given, receives one TableRead
    per table (rows read, landed, outside the retention window).
    """
    stamp = utc_naive(loaded_at or dt.datetime.now(dt.UTC).replace(microsecond=0))
    repos = read_repositories([Path(p) for p in repo_paths], release_tag_pattern, default_branch)
    reads = read_tables(repos, salt, stamp)
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
    """Load local git repositories into `raw_git` of the warehouse.

    `release_tag_pattern` (a regular expression, searched in the tag name)
    says which tags are releases, i.e. production deployments; default
    `^v?\\d+\\.\\d+(\\.\\d+)?$`. `default_branch` names the main-line branch
    when the clone's `origin/HEAD` / HEAD does not (it applies to every path).
    """
    if not repo_paths:
        raise OutcomesError("the git source needs at least one repository path")
    start = time.perf_counter()
    report = ReadReport()
    # Read first: a bad path fails before the warehouse is touched.
    source = git(
        [str(p) for p in repo_paths],
        salt,
        loaded_at=loaded_at,
        release_tag_pattern=release_tag_pattern,
        default_branch=default_branch,
        report=report,
    )
    ensure_warehouse(warehouse)
    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name=DATASET,
        pipelines_dir=str(pipelines_dir(warehouse)),
    )
    try:
        pipeline.run(source, loader_file_format="parquet")
    except Exception as exc:  # dlt wraps every step failure; say which source
        raise OutcomesError(f"loading source {SOURCE!r} into {DATASET!r} failed: {exc}") from exc
    return SourceLoad(source=SOURCE, reads=report.reads, seconds=time.perf_counter() - start)
