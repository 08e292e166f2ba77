"""Zendesk's API answers carry ticket subjects, descriptions, comment bodies,
rating comments, people's names, signatures and emails: none of it is
written anywhere (warehouse, dlt's files on disk) nor logged."""

from __future__ import annotations

import logging

from tests.api.conftest import api_config, load_api, read_export
from tests.api.free_text import NO_LEAK, leaks

SOURCE = "zendesk"


def _free_texts(exports) -> tuple[set[str], set[str]]:
    folder = exports / SOURCE
    tickets = read_export(folder / "tickets.jsonl")
    audits = read_export(folder / "ticket_audits.jsonl")
    ratings = read_export(folder / "satisfaction_ratings.jsonl")
    users = read_export(folder / "users.jsonl")
    texts = {t[k] for t in tickets for k in ("subject", "raw_subject", "description") if t.get(k)}
    texts |= {
        e[k]
        for a in audits
        for e in a.get("events", [])
        if e.get("type") == "Comment"
        for k in ("body", "html_body", "plain_body")
        if e.get(k)
    }
    texts |= {r["comment"] for r in ratings if r.get("comment")}
    texts |= {u[k] for u in users for k in ("name", "signature") if u.get(k)}
    emails = {u["email"] for u in users if u.get("email")}
    return texts, emails


def test_no_free_text_or_email_is_written_or_logged(
    simulator, demo_exports, tmp_path, caplog, capfd
):
    texts, emails = _free_texts(demo_exports)
    # what is looked for: many texts of each kind, and every user's email
    assert len(texts) > 100 and len(emails) > 20
    caplog.set_level(logging.DEBUG)
    folder = tmp_path / "pull"
    folder.mkdir()
    pulled = load_api(api_config(SOURCE, simulator), folder / "api.duckdb")
    assert pulled.published
    captured = capfd.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert leaks(texts | emails, folder, folder / "api.duckdb", logs) == NO_LEAK
    # the scan sees what is kept: group names (organisational) are in raw and on disk
    groups = {g["name"] for g in read_export(demo_exports / SOURCE / "groups.jsonl")}
    seen = leaks(groups, folder, folder / "api.duckdb", logs)
    assert seen["warehouse"] == seen["files"] == sorted(groups)
