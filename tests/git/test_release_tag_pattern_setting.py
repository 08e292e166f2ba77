"""Which tags are releases is a setting of `outcomes.yml` (issue 14): before, it
was reachable only through an undocumented environment variable."""

from __future__ import annotations

import pytest

from outcomes.config import load_config
from outcomes.errors import OutcomesError
from pipelines.common.load import load_source
from tests.git.conftest import ADA, EVE, LOADED_AT, SALT, init_repo, query


def _repo(path):
    repo = init_repo(path, "git@github.com:acme/svc.git")
    repo.commit("c1", "Initial commit", ADA, "2026-03-02T10:00:00+0000")
    repo.git("tag", "v1.0.0")
    repo.commit("c2", "Second commit", ADA, "2026-03-03T10:00:00+0000")
    repo.git(
        "tag", "-a", "release-2026-03-03", "-m", "Release", who=EVE, at="2026-03-03T12:00:00+0000"
    )
    return repo


def _config(tmp_path, repo, extra: str):
    path = tmp_path / "outcomes.yml"
    path.write_text(f"sources:\n  git:\n    path: {repo.path}\n{extra}")
    return load_config(path)


def test_outcomes_yml_says_which_tags_are_releases(tmp_path):
    repo = _repo(tmp_path / "svc")
    config = _config(tmp_path, repo, "    release_tag_pattern: '^release-'\n")
    warehouse = tmp_path / "w.duckdb"
    assert load_source(config.sources[0], warehouse, SALT, LOADED_AT).published
    assert query(warehouse, "select tag_name from raw_git.tags") == [("release-2026-03-03",)]
    assert query(warehouse, "select release_tag_pattern from raw_git.repositories") == [
        ("^release-",)
    ]


def test_the_default_counts_version_tags(tmp_path):
    repo = _repo(tmp_path / "svc")
    config = _config(tmp_path, repo, "")
    warehouse = tmp_path / "w.duckdb"
    assert load_source(config.sources[0], warehouse, SALT, LOADED_AT).published
    assert query(warehouse, "select tag_name from raw_git.tags") == [("v1.0.0",)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    release_tag_pattern: '('\n", "release_tag_pattern '(' is not a valid regular"),
        ("    release_tag_pattern: 3\n", "release_tag_pattern: expected text, got 3"),
    ],
)
def test_a_bad_release_tag_pattern_names_the_file_and_setting(tmp_path, extra, message):
    repo = _repo(tmp_path / "svc")
    with pytest.raises(OutcomesError) as raised:
        _config(tmp_path, repo, extra)
    assert str(tmp_path / "outcomes.yml") in str(raised.value)
    assert f"source 'git' {message}" in str(raised.value)


def test_other_sources_do_not_take_it(tmp_path):
    path = tmp_path / "outcomes.yml"
    (tmp_path / "gh").mkdir()
    path.write_text(
        f"sources:\n  github:\n    path: {tmp_path / 'gh'}\n    release_tag_pattern: x\n"
    )
    with pytest.raises(OutcomesError, match="unknown setting"):
        load_config(path)
