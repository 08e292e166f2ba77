"""`outcomes sources check`: every configured source, checked without loading.

Each check ends in a verdict and a few lines; a failure names the source,
the setting and what the API answered (status and message), never a stack
trace. Nothing is written to the warehouse and no cursor moves; the
"fetch from" an API source reports is the cursor its last published pull
left (dlt state beside the warehouse), else its `start_date`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from outcomes.config import Config, SourceConfig
from outcomes.errors import OutcomesError
from pipelines.common.api import (
    Pull,
    api_client,
    api_module,
    credentials_used,
    forget_credentials_used,
    secret_env,
)
from pipelines.common.http import ApiError
from pipelines.common.load import candidate_dataset, pipelines_dir
from pipelines.common.policy import load_policy
from pipelines.common.reader import export_files
from pipelines.common.source import converted_files

Result = tuple[str, bool, list[str]]


def check_sources(config: Config) -> Iterator[Result]:
    for source in config.sources:
        try:
            if source.api is not None:
                yield source.name, True, _check_api(source, config)
            else:
                yield source.name, *_check_files(source)
        except OutcomesError as exc:
            yield source.name, False, [str(exc)]


def _published_state(source: SourceConfig, config: Config) -> dict:
    """The cursors of the last published pull (what the next run starts from)."""
    policy = load_policy(source.name)
    dataset = candidate_dataset(policy.dataset_for(policy.tables[0]))
    path = pipelines_dir(config.warehouse) / f"outcomes_{source.name}_{dataset}"
    published = path / "state.published.json"
    if not published.exists():
        return {}
    state = json.loads(published.read_text())
    return state.get("sources", {}).get(source.name, {}).get("outcomes", {})


def _check_api(source: SourceConfig, config: Config) -> list[str]:
    assert source.api is not None
    module = api_module(source.name)
    forget_credentials_used(source.name)
    # the same client a pull builds: its retries bounded by max_wait_seconds / max_attempts
    pull = Pull(source.name, source.api, api_client(source.name, source.api))
    pull._state = _published_state(source, config)
    first_pull = not pull._state
    try:
        lines = module.check(pull)
    except ApiError as exc:
        if exc.status in REFUSED:
            raise OutcomesError(f"{exc}; {refused_credentials(source.name)}") from None
        raise
    if first_pull:
        lines.append(f"no pull published yet: the first run backfills from {source.api.start_date}")
    return lines


# The answers of an API that refuses a credential: not recognised (401), or
# recognised without the access asked for (403: a scope, a role, SSO).
REFUSED = (401, 403)


def refused_credentials(tool: str) -> str:
    """Which settings to fix when the API refuses the credentials (names, never values)."""
    keys = credentials_used(tool)
    if not keys:
        return (
            f"the API refused the credentials: check [sources.{tool}] in .dlt/secrets.toml "
            f"(or SOURCES__{tool.upper()}__<KEY>) and their access "
            f"(docs/connectors/{tool}.md)"
        )
    names = " and ".join(keys)
    envs = " and ".join(secret_env(tool, k) for k in keys)
    return (
        f"the API refused the credentials: fix [sources.{tool}] {names} in .dlt/secrets.toml "
        f"(or the environment: {envs}), or their scopes/roles (docs/connectors/{tool}.md)"
    )


def _check_files(source: SourceConfig) -> tuple[bool, list[str]]:
    if source.name == "git":
        return True, [f"git clones under {source.path}"]
    assert source.path is not None
    policy = load_policy(source.name)
    lines, missing, optional = [], [], []
    for table in policy.tables:
        files = export_files(table, source.path) or converted_files(source.name, table, source.path)
        if files:
            lines.append(f"{table.name}: {', '.join(f.name for f in files)}")
        else:
            (optional if table.optional else missing).append(table.file)
    if optional:
        lines.append(f"optional, not found (none land): {', '.join(sorted(set(optional)))}")
    if missing:
        lines.append(f"not found in {source.path}: {', '.join(sorted(set(missing)))}")
    return not missing, lines
