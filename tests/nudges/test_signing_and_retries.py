"""Signatures a receiver can verify, retries with backoff, and what is refused."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import time

import requests

from outcomes.nudges.delivery import Endpoint, post
from outcomes.nudges.run import send
from outcomes.nudges.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers, verify
from tests.nudges.conftest import SCENARIO, SECRET, config, endpoints_for, make_warehouse

T1 = dt.datetime(2026, 3, 4, 10, 0)  # Berlin working hours
ONLY_B1 = [row for row in SCENARIO if row[0] == "B1"]


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"text":"hello"}'
    headers = signed_headers(SECRET, body, "m1", timestamp=1772618400)
    expected = hmac.new(SECRET.encode(), b"1772618400." + body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"v1={expected}"
    assert headers[TIMESTAMP_HEADER] == "1772618400"
    assert verify(SECRET, headers, body, now=1772618400 + 10) is None


def test_tampered_body_wrong_secret_and_old_timestamp_are_refused(receiver):
    body = b'{"text":"hello"}'
    now = int(time.time())
    headers = signed_headers(SECRET, body, "m1", timestamp=now)
    assert verify(SECRET, headers, b'{"text":"hellO"}', now=now) == "signature does not match"
    assert verify("another-secret-0123456789", headers, body, now=now) == (
        "signature does not match"
    )
    assert verify(SECRET, headers, body, now=now + 3600).startswith("timestamp outside")
    assert verify(SECRET, {TIMESTAMP_HEADER: str(now)}, body, now=now) == "missing signature"
    # Over the wire: the receiver answers 401 to a tampered body and logs why.
    tampered = requests.post(receiver.url, data=b'{"text":"hellO"}', headers=headers, timeout=10)
    assert tampered.status_code == 401
    assert receiver.requests[-1].verdict == "signature does not match"
    stale = signed_headers(SECRET, body, "m2", timestamp=now - 3600)
    assert requests.post(receiver.url, data=body, headers=stale, timeout=10).status_code == 401
    assert receiver.requests[-1].verdict.startswith("timestamp outside")


def test_a_5xx_is_retried_with_backoff_and_logged_once_sent(tmp_path, receiver):
    receiver.script = [503, 502]
    waits: list[float] = []
    con = make_warehouse(tmp_path / "w.duckdb", ONLY_B1)
    outcome = send(
        con,
        config(max_attempts=4, backoff_seconds=0.5),
        T1,
        endpoints_for(receiver),
        sleep=waits.append,
    )
    assert outcome.sent_messages == 1
    assert [r.status for r in receiver.requests] == [503, 502, 200]
    assert all(r.verdict is None for r in receiver.requests)  # each attempt re-signed, valid
    assert len({r.headers["X-Outcomes-Delivery-Id"] for r in receiver.requests}) == 1
    assert waits == [0.5, 1.0]  # exponential backoff
    row = con.execute("select status, attempts, http_statuses from nudges.delivery_log").fetchall()
    assert row == [("sent", 3, "503,502,200")]


def test_a_receiver_that_keeps_failing_is_logged_failed_and_retried_next_run(tmp_path, receiver):
    receiver.script = [500, 500, 500]
    con = make_warehouse(tmp_path / "w.duckdb", ONLY_B1)
    outcome = send(con, config(max_attempts=3), T1, endpoints_for(receiver), sleep=lambda s: None)
    assert outcome.failed_messages == 1
    assert con.execute(
        "select status, status_reason, http_statuses from nudges.delivery_log"
    ).fetchall() == [("failed", "HTTP 500 after 3 attempts", "500,500,500")]
    # A failure is not a delivery: the next run sends it (and the receiver is back).
    later = T1 + dt.timedelta(minutes=15)
    again = send(con, config(), later, endpoints_for(receiver), sleep=lambda s: None)
    assert again.sent_messages == 1
    assert [
        s
        for (s,) in con.execute(
            "select status from nudges.delivery_log order by decided_at"
        ).fetchall()
    ] == ["failed", "sent"]


def test_a_wrong_secret_is_refused_by_the_receiver_and_not_retried(tmp_path, receiver):
    con = make_warehouse(tmp_path / "w.duckdb", ONLY_B1)
    wrong = endpoints_for(receiver, secret="not-the-receivers-secret-000")
    outcome = send(con, config(), T1, wrong, sleep=lambda s: None)
    assert outcome.failed_messages == 1
    assert [r.verdict for r in receiver.requests] == ["signature does not match"]
    assert con.execute("select status, status_reason from nudges.delivery_log").fetchall() == [
        ("failed", "HTTP 401 after 1 attempts")
    ]


def test_an_interrupted_send_is_never_repeated(tmp_path, receiver, monkeypatch):
    """A run killed after the request went out leaves `sending`: counted as delivered."""
    import outcomes.nudges.delivery as delivery

    con = make_warehouse(tmp_path / "w.duckdb", ONLY_B1)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(delivery, "post", killed)
    with contextlib.suppress(KeyboardInterrupt):
        send(con, config(), T1, endpoints_for(receiver))
    monkeypatch.undo()
    assert con.execute("select status from nudges.delivery_log").fetchall() == [("sending",)]
    again = send(con, config(), T1 + dt.timedelta(minutes=5), endpoints_for(receiver))
    assert [d.status for d in again.decisions] == ["deduplicated"]
    assert receiver.requests == []


def test_post_uses_the_body_it_signed(monkeypatch):
    import outcomes.nudges.delivery as delivery

    body = json.dumps({"a": 1}).encode()
    seen = {}

    class Answer:
        status_code = 200
        headers = requests.structures.CaseInsensitiveDict()

    def fake_post(url, data, headers, timeout):
        seen.update(data=data, headers=headers)
        return Answer()

    monkeypatch.setattr(delivery.requests, "post", fake_post)
    attempts = post(Endpoint("http://127.0.0.1:9/x", SECRET), body, "m", clock=lambda: 100)
    assert attempts.ok
    assert verify(SECRET, seen["headers"], seen["data"], now=100) is None
