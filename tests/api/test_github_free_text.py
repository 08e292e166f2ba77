"""GitHub's API answers carry pull request titles and bodies, commit
messages, review bodies, workflow run titles, people's names, emails and logins:
none of it is written anywhere (warehouse, dlt's files on disk) nor logged.
Only what the policy derives lands (a revert flag, the reverted PR's number)."""

from __future__ import annotations

import logging

from tests.api.conftest import api_config, load_api, read_export
from tests.api.free_text import NO_LEAK, leaks

SOURCE = "github"


def _free_texts(exports) -> tuple[set[str], set[str]]:
    """The free texts, and the people's identifiers (emails, logins)."""
    folder = exports / SOURCE
    pulls = read_export(folder / "pull_requests.jsonl")
    commits = read_export(folder / "commits.jsonl")
    reviews = read_export(folder / "reviews.jsonl")
    runs = read_export(folder / "workflow_runs.jsonl")
    users = read_export(folder / "users.jsonl")
    texts = {p[k] for p in pulls for k in ("title", "body") if p.get(k)}
    texts |= {c["commit"]["message"] for c in commits if c["commit"].get("message")}
    texts |= {r["body"] for r in reviews if r.get("body")}
    texts |= {r["display_title"] for r in runs if r.get("display_title")}
    texts |= {(r.get("head_commit") or {}).get("message") or "" for r in runs} - {""}
    people = [c["commit"][role] for c in commits for role in ("author", "committer")]
    texts |= {p["name"] for p in people if p.get("name")}
    texts |= {u["name"] for u in users if u.get("name")}
    ids = {p["email"] for p in people if p.get("email")}
    ids |= {u["email"] for u in users if u.get("email")}
    # a login identifies a person as well as an email: raw holds its pseudonym
    ids |= {u["login"] for u in users if u.get("login")}
    return texts, ids


def test_no_free_text_or_email_is_written_or_logged(
    simulator, demo_exports, tmp_path, caplog, capfd
):
    texts, ids = _free_texts(demo_exports)
    assert len(texts) > 100 and len(ids) > 20
    caplog.set_level(logging.DEBUG)
    folder = tmp_path / "pull"
    folder.mkdir()
    pulled = load_api(api_config(SOURCE, simulator, organization="acme"), folder / "api.duckdb")
    assert pulled.published
    captured = capfd.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert leaks(texts | ids, folder, folder / "api.duckdb", logs) == NO_LEAK
    # the scan sees what is kept: the repositories' names are in raw and on disk
    repos = {r["full_name"] for r in read_export(demo_exports / SOURCE / "repositories.jsonl")}
    seen = leaks(repos, folder, folder / "api.duckdb", logs)
    assert seen["warehouse"] == seen["files"] == sorted(repos)
