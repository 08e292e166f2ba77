"""The webhook receiver on 127.0.0.1, against a copy of the demo warehouse:
signed deliveries land through the source's policy within seconds, once;
unsigned, tampered, wrongly signed and replayed ones are refused and logged;
and a burst of 1,000 lands each once."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import json
import uuid

import duckdb
import pytest
import requests

from outcomes.webhooks import Receiver, read_marker
from tests.conftest import DEMO_SALT

SECRETS = {"github": "gh-secret", "jira": "jira-secret", "zendesk": "zd-secret"}
TITLE = "Webhook title that must never land"


@pytest.fixture(scope="module")
def pushed(demo_warehouse, tmp_path_factory):
    warehouse = demo_warehouse.copy_to(tmp_path_factory.mktemp("webhooks"))
    template = json.loads(
        (demo_warehouse.exports / "github" / "pull_requests.jsonl").open().readline()
    )
    with Receiver(warehouse.path, DEMO_SALT, SECRETS, port=0, batch_seconds=0.5) as receiver:
        yield warehouse, receiver, template


def github_delivery(pr: dict, delivery: str | None = None, secret: str = SECRETS["github"]):
    body = json.dumps({"action": "opened", "pull_request": pr}).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature,
        "Content-Type": "application/json",
    }
    return headers, body


def new_pr(template: dict, pr_id: int) -> dict:
    pr = copy.deepcopy(template)
    pr.update(
        id=pr_id,
        number=pr_id % 100000,
        title=TITLE,
        state="open",
        merged_at=None,
        closed_at=None,
        created_at="2026-11-30T09:00:00Z",
        updated_at="2026-11-30T09:00:00Z",
    )
    return pr


def rows(warehouse, sql: str, params=None):
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_a_signed_pull_request_lands_through_the_policy(pushed):
    warehouse, receiver, template = pushed
    headers, body = github_delivery(new_pr(template, 990000001))
    answer = requests.post(
        f"{receiver.url}/webhooks/github", data=body, headers=headers, timeout=120
    )
    assert answer.status_code == 200, answer.text
    (landed,) = rows(
        warehouse,
        "select author_user_key, repository_name, state from raw_github.pull_requests "
        "where pull_request_id = 990000001",
    )
    # the author pseudonymized exactly as the file load did for the same login
    (same,) = rows(
        warehouse,
        "select distinct author_user_key from raw_github.pull_requests where pull_request_id = ?",
        [template["id"]],
    )
    assert landed == (same[0], template["base"]["repo"]["full_name"], "open")
    assert landed[0] != template["user"]["login"]
    columns = {
        c
        for (c,) in rows(
            warehouse,
            "select column_name from information_schema.columns "
            "where table_schema = 'raw_github' and table_name = 'pull_requests'",
        )
    }
    assert not {"title", "body", "user"} & columns
    # the text the policy drops is nowhere beside the warehouse either
    for path in warehouse.path.parent.rglob("*"):
        if path.is_file() and path.suffix != ".duckdb":
            assert TITLE.encode() not in path.read_bytes(), path
    assert "github" in read_marker(warehouse.path)


def test_a_replayed_delivery_lands_nothing(pushed):
    warehouse, receiver, template = pushed
    headers, body = github_delivery(new_pr(template, 990000002))
    first = requests.post(
        f"{receiver.url}/webhooks/github", data=body, headers=headers, timeout=120
    )
    again = requests.post(
        f"{receiver.url}/webhooks/github", data=body, headers=headers, timeout=120
    )
    assert (first.status_code, again.status_code) == (200, 200)
    assert "already landed" in again.text
    assert rows(
        warehouse, "select count(*) from raw_github.pull_requests where pull_request_id = 990000002"
    ) == [(1,)]


@pytest.mark.parametrize("fault", ["unsigned", "tampered", "wrong secret"])
def test_bad_signatures_are_refused_and_logged(pushed, fault):
    warehouse, receiver, template = pushed
    pr_id = {"unsigned": 990000011, "tampered": 990000012, "wrong secret": 990000013}[fault]
    delivery = str(uuid.uuid4())
    headers, body = github_delivery(
        new_pr(template, pr_id),
        delivery,
        "not-the-secret" if fault == "wrong secret" else SECRETS["github"],
    )
    if fault == "unsigned":
        del headers["X-Hub-Signature-256"]
    if fault == "tampered":
        body = body.replace(b'"open"', b'"closed"', 1)
    answer = requests.post(
        f"{receiver.url}/webhooks/github", data=body, headers=headers, timeout=120
    )
    assert answer.status_code == 401
    assert rows(
        warehouse,
        "select count(*) from raw_github.pull_requests where pull_request_id = ?",
        [pr_id],
    ) == [(0,)]
    # logged when the next batch lands
    headers, body = github_delivery(new_pr(template, pr_id + 100))
    requests.post(f"{receiver.url}/webhooks/github", data=body, headers=headers, timeout=120)
    assert rows(
        warehouse,
        "select outcome from webhooks.deliveries where delivery_id = ?",
        [delivery],
    ) == [("rejected",)]


def test_an_old_jira_delivery_is_a_replay(pushed):
    _warehouse, receiver, _ = pushed
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    body = json.dumps(
        {
            "timestamp": int(old.timestamp() * 1000),
            "webhookEvent": "jira:issue_updated",
            "issue": {"id": "10001", "key": "PAYM-1", "fields": {}},
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRETS["jira"].encode(), body, hashlib.sha256).hexdigest()
    answer = requests.post(
        f"{receiver.url}/webhooks/jira",
        data=body,
        timeout=60,
        headers={"X-Hub-Signature": signature, "X-Atlassian-Webhook-Identifier": "j-1"},
    )
    assert answer.status_code == 401
    assert "replay" in answer.json()["message"]


def test_a_burst_of_1000_signed_deliveries_lands_each_once(pushed):
    """1,000 signed pull-request events from 100 concurrent senders on loopback:
    every one is answered 200 (landed), none is lost, none lands twice."""
    from concurrent.futures import ThreadPoolExecutor

    warehouse, receiver, template = pushed
    first_id, count = 991000000, 1000
    deliveries = [github_delivery(new_pr(template, first_id + i)) for i in range(count)]

    def send(delivery) -> int:
        headers, body = delivery
        with requests.Session() as session:
            answer = session.post(
                f"{receiver.url}/webhooks/github", data=body, headers=headers, timeout=300
            )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(send, deliveries))
    assert statuses == [200] * count
    assert rows(
        warehouse,
        "select count(*), count(distinct pull_request_id) from raw_github.pull_requests "
        "where pull_request_id between ? and ?",
        [first_id, first_id + count - 1],
    ) == [(count, count)]
    ids = {headers["X-GitHub-Delivery"] for headers, _ in deliveries}
    logged = rows(
        warehouse,
        "select delivery_id, outcome from webhooks.deliveries where tool = 'github'",
    )
    assert sorted(outcome for delivery, outcome in logged if delivery in ids) == ["landed"] * count
