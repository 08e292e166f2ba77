"""50,000 commits: synthesized with git fast-import, read and loaded whole.

Takes a few seconds (timings are reported by `python -m pipelines.git.synth
PATH --load WAREHOUSE`, not asserted here).
"""

from __future__ import annotations

import datetime as dt

from pipelines.git import load_git
from pipelines.git.synth import synthesize_repo
from tests.git.conftest import SALT, query


def test_fifty_thousand_commits_all_land(tmp_path):
    end = dt.datetime(2026, 5, 1)
    synth = synthesize_repo(tmp_path / "big", commits=50_000, merge_every=5, seed=1, end=end)
    assert synth.commits == 50_000
    warehouse = tmp_path / "w.duckdb"
    result = load_git([synth.path], warehouse, SALT, end + dt.timedelta(days=1))
    commits = next(r for r in result.reads if r.table.name == "commits")
    assert commits.records_read == commits.data.num_rows == 50_000
    assert query(
        warehouse,
        "select count(*), count(*) filter (where is_on_main_line), "
        "count(*) filter (where is_revert), count(distinct author_person_key) "
        "from raw_git.commits",
    ) == [(50_000, synth.main_line, synth.reverts, len(synth.authors))]
    assert query(
        warehouse,
        "select merge_method, count(*), sum(commit_count) "
        "from raw_git.pull_requests group by 1 order by 1",
    ) == [
        ("merge", synth.merge_pull_requests, 50_000 - synth.main_line),
        ("squash", synth.squash_pull_requests, synth.squash_pull_requests),
    ]
    assert query(
        warehouse, "select count(*), count(*) filter (where is_annotated) from raw_git.tags"
    ) == [(synth.release_tags, synth.annotated_tags)]
