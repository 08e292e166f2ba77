"""The demo-organisation generator: deterministic, policy-shaped, planted facts findable.

One small organisation (80 people, 8 weeks) is generated once per module;
every test reads its files back the way a loader would: policy paths,
types, primary keys, and the manifest's planted facts and broken records.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from outcomes.demo import generate

POLICY_DIR = Path(__file__).resolve().parents[2] / "pipelines"
TOOLS = ("roster", "github", "jira", "pagerduty", "zendesk", "hubspot", "calendar")
PEOPLE, WEEKS, SEED, END = 80, 8, 11, date(2026, 11, 16)
EXPORT_TIME = datetime(END.year, END.month, END.day, tzinfo=UTC)
MISSING = object()
# Keys a policy lists as dropped that the real API does not return in the
# export mode mimicked here (events.list with singleEvents=true has no RRULE).
NOT_IN_THIS_EXPORT = {
    ("calendar", "events.jsonl", "recurrence"),
    ("pagerduty", "log_entries.jsonl", "user"),  # notify entries only; the demo writes none
    # apply_sla events only: update_status (status, deleted) and group SLA events have these
    ("zendesk", "ticket_metric_events.jsonl", "deleted"),
    ("zendesk", "ticket_metric_events.jsonl", "status"),
    ("zendesk", "ticket_metric_events.jsonl", "group_sla"),
}


# -- helpers: a small JSONPath reader matching the policy syntax ------------------------
_TOKEN = re.compile(r'"([^"]+)"|([^.\[\]"]+)|\[(\*|\d+)\]')


def _tokens(path: str) -> list[str | int]:
    out: list[str | int] = []
    for quoted, plain, index in _TOKEN.findall(path):
        if quoted or plain:
            out.append(quoted or plain)
        else:
            out.append(-1 if index == "*" else int(index))
    return out


def resolve(obj: Any, path: str) -> Any:
    """Value at a policy path, MISSING when absent; `[*]` returns a list."""
    node = [obj]
    wildcard = False
    for tok in _tokens(path):
        nxt = []
        for item in node:
            if isinstance(tok, str):
                if isinstance(item, dict) and tok in item:
                    nxt.append(item[tok])
            elif tok == -1:
                wildcard = True
                if isinstance(item, list):
                    nxt.extend(item)
            elif isinstance(item, list) and len(item) > tok:
                nxt.append(item[tok])
        node = nxt
    if wildcard:
        return node
    return node[0] if node else MISSING


def parse_ts(value: Any, kind: str) -> datetime | None:
    if kind == "epoch_ms":
        return (
            datetime.fromtimestamp(value / 1000, UTC)
            if isinstance(value, int) and not isinstance(value, bool)
            else None
        )
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def type_ok(value: Any, kind: str | None) -> bool:
    if kind in ("timestamp", "epoch_ms"):
        return parse_ts(value, kind) is not None
    if kind == "bigint":  # Jira and HubSpot send numeric ids as strings
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None
        )
    if kind == "double":
        return (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
        )
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None
    return value is not None


# Optional tables the demo writes (the API pull lists them anyway).
OPTIONAL_DEMO_WRITES = {
    ("github", "repositories"),
    ("zendesk", "groups"),
    ("zendesk", "sla_policies"),
    ("zendesk", "sla_policy_metrics"),
    ("zendesk", "ticket_metric_events"),
    ("pagerduty", "log_entries"),
}


def load_policies() -> dict[str, dict[str, Any]]:
    """Each tool's policy with the tables the demo writes: all but the optional
    ones (Jira sprints, PagerDuty services), which a real export may lack too,
    except those the demo writes all the same (GitHub repositories)."""
    policies = {}
    for tool in TOOLS:
        policy = yaml.safe_load((POLICY_DIR / tool / "policy.yml").read_text())
        policy["tables"] = {
            name: table
            for name, table in policy["tables"].items()
            if not table.get("optional", False) or (tool, name) in OPTIONAL_DEMO_WRITES
        }
        policies[tool] = policy
    return policies


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def rows_of(record: dict[str, Any], table: dict[str, Any]) -> list[tuple[dict[str, Any], Any, int]]:
    """(record, element, index) per row the table makes from one record."""
    if not table.get("explode"):
        return [(record, record, 0)]
    items = resolve(record, table["explode"])
    return [(record, e, i) for i, e in enumerate(items)] if isinstance(items, list) else []


def column_value(record: dict[str, Any], element: Any, index: int, spec: dict[str, Any]) -> Any:
    if spec.get("path") == "__index":
        return index
    if "record_path" in spec:
        return resolve(record, spec["record_path"])
    return resolve(element, spec["path"])


def row_problems(record: dict[str, Any], tables: list[dict[str, Any]]) -> list[str]:
    """Why a loader would quarantine this record: a missing required value or an unparsable one."""
    problems = []
    for table in tables:
        for rec, element, index in rows_of(record, table) or [(record, record, 0)]:
            for name, spec in table["columns"].items():
                value = column_value(rec, element, index, spec)
                empty = value is MISSING or value is None
                if (
                    spec.get("required")
                    and empty
                    and not (table.get("explode") and "path" in spec and element is rec)
                ):
                    problems.append(f"missing {name}")
                if (
                    not empty
                    and spec.get("type") in ("timestamp", "epoch_ms")
                    and spec["action"] == "keep"
                    and not type_ok(value, spec["type"])
                ):
                    problems.append(f"unparsable {name}")
    return problems


# -- the data set -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo")
    result = generate(out, people=PEOPLE, weeks=WEEKS, seed=SEED, end_date=END, workers=1)
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    policies = load_policies()
    files: dict[str, list[dict[str, Any]]] = {}
    for tool, policy in policies.items():
        for table in policy["tables"].values():
            rel = f"{tool}/{table['file']}"
            if rel not in files:
                files[rel] = read_lines(out / rel)
    broken = {(b["file"], b["line"]) for b in manifest["broken_records"]}
    clean = {
        rel: [r for i, r in enumerate(recs, 1) if (rel, i) not in broken]
        for rel, recs in files.items()
    }
    return {
        "out": out,
        "result": result,
        "manifest": manifest,
        "policies": policies,
        "files": files,
        "clean": clean,
    }


def latest(
    records: list[dict[str, Any]], key: str, updated: str | None = None
) -> dict[Any, dict[str, Any]]:
    """Deduplicate like the loader: one record per key, the newest `updated` (then the last line) wins."""
    out: dict[Any, dict[str, Any]] = {}
    for r in records:
        k = resolve(r, key)
        if k is MISSING:
            continue
        if (
            k not in out
            or updated is None
            or parse_ts(resolve(r, updated), "timestamp")
            >= parse_ts(resolve(out[k], updated), "timestamp")
        ):
            out[k] = r
    return out


def roster_team_by_email(demo: dict[str, Any]) -> dict[str, str]:
    users = latest(demo["clean"]["roster/users.jsonl"], "id", "meta.lastModified").values()
    ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    return {u["userName"]: u[ext]["department"] for u in users}


# -- determinism ---------------------------------------------------------------------------------
def test_same_parameters_give_byte_identical_files(demo: dict[str, Any], tmp_path: Path) -> None:
    # a second run, in parallel worker processes this time: the same bytes
    generate(tmp_path, people=PEOPLE, weeks=WEEKS, seed=SEED, end_date=END, workers=2)
    first = sorted(p.relative_to(demo["out"]) for p in demo["out"].rglob("*") if p.is_file())
    second = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert first == second
    for rel in first:
        assert (demo["out"] / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


def test_identical_in_a_fresh_process_with_other_hash_seed(tmp_path: Path) -> None:
    """Nothing depends on set/dict ordering of strings (randomised per process)."""
    code = (
        "import sys; from datetime import date; from pathlib import Path; from outcomes.demo import generate; "
        f"generate(Path(sys.argv[1]), people=40, weeks=4, seed={SEED}, end_date=date(2026, 11, 16))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a")],
        check=True,
        env=env,
        cwd=POLICY_DIR.parent,
    )
    generate(tmp_path / "b", people=40, weeks=4, seed=SEED, end_date=END)
    for path in sorted((tmp_path / "a").rglob("*.json*")):
        assert (
            path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
        ), path


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path, people=40, weeks=4, seed=SEED + 1, end_date=END)
    other = (tmp_path / "github/pull_requests.jsonl").read_bytes()
    generate(tmp_path / "b", people=40, weeks=4, seed=SEED, end_date=END)
    assert other != (tmp_path / "b/github/pull_requests.jsonl").read_bytes()


# -- shapes: what the policies read is there, with the right types ------------------------------------
def test_every_policy_file_is_written(demo: dict[str, Any]) -> None:
    for tool, policy in demo["policies"].items():
        for name, table in policy["tables"].items():
            path = demo["out"] / tool / table["file"]
            assert path.is_file() and path.stat().st_size > 0, f"{tool}.{name}: {path}"


def test_manifest_counts_match_the_files(demo: dict[str, Any]) -> None:
    counted = {rel: len(recs) for rel, recs in demo["files"].items()}
    assert demo["manifest"]["files"] == counted
    assert demo["result"].files == counted


# Columns only the API loaders' deletion sweeps set (no export file has them).
SET_BY_API_SWEEPS = {
    ("github", "deployments", "is_deleted"),
    ("github", "repositories", "is_deleted"),
    ("jira", "issues", "is_deleted"),
}
# Tables the demo has no rows for: its issues carry no Sprint field, as on a
# Jira site without Jira Software (the sprints file is optional too).
NO_DEMO_ROWS = {("jira", "issue_sprints")}


@pytest.mark.parametrize("tool", TOOLS)
def test_every_policy_path_exists_with_its_type(demo: dict[str, Any], tool: str) -> None:
    for name, table in demo["policies"][tool]["tables"].items():
        records = demo["clean"][f"{tool}/{table['file']}"]
        rows = [row for r in records for row in rows_of(r, table)]
        if (tool, name) in NO_DEMO_ROWS:
            assert rows == [], f"{tool}.{name}: the demo now writes it; test its columns"
            continue
        assert rows, f"{tool}.{name} has no rows"
        for col, spec in table["columns"].items():
            if (tool, name, col) in SET_BY_API_SWEEPS:
                continue
            values = [column_value(r, e, i, spec) for r, e, i in rows]
            present = [v for v in values if v is not MISSING and v is not None]
            where = f"{tool}.{name}.{col} ({spec.get('record_path') or spec.get('path')})"
            assert present, f"{where}: never present"
            if spec.get("required"):
                assert len(present) == len(values), f"{where}: required but missing in some rows"
            if spec["action"] == "keep" or (
                spec["action"] == "derive" and spec.get("derive") == "starts_with"
            ):
                bad = [v for v in present if not type_ok(v, spec.get("type"))]
                assert not bad, f"{where}: wrong type, e.g. {bad[:3]}"
            if spec["action"] == "derive" and spec.get("derive") in ("join", "count"):
                assert all(isinstance(v, list) for v in present), f"{where}: not a list"


@pytest.mark.parametrize("tool", TOOLS)
def test_dropped_fields_are_realistic_and_nothing_unknown_is_sent(
    demo: dict[str, Any], tool: str
) -> None:
    """Dropped fields are present (so privacy tests can prove they never land), and no
    top-level key is unknown to the policy (a demo run reports no 'new columns')."""
    by_file: dict[str, set[str]] = defaultdict(set)
    dropped: dict[str, set[str]] = defaultdict(set)
    for table in demo["policies"][tool]["tables"].values():
        known = by_file[table["file"]]
        for key in table.get("dropped", []):
            root = key.strip('"')
            known.add(root)
            if not table.get("explode"):
                dropped[table["file"]].add(root)
        if table.get("explode"):
            known.add(_tokens(table["explode"])[0])
        for spec in table["columns"].values():
            path = spec.get("record_path") or (None if table.get("explode") else spec.get("path"))
            if path and path != "__index":
                known.add(_tokens(path)[0])
    for file, known in by_file.items():
        seen = {k for r in demo["files"][f"{tool}/{file}"] for k in r}
        assert seen <= known, f"{tool}/{file}: keys no policy table knows: {sorted(seen - known)}"
        missing = {k for k in dropped[file] - seen if (tool, file, k) not in NOT_IN_THIS_EXPORT}
        assert not missing, f"{tool}/{file}: dropped fields never emitted: {sorted(missing)}"


def test_timestamp_formats_differ_like_the_real_tools(demo: dict[str, Any]) -> None:
    c = demo["clean"]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["github/pull_requests.jsonl"][0]["created_at"]
    )
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}",
        c["jira/issues.jsonl"][0]["fields"]["created"],
    )
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["pagerduty/incidents.jsonl"][0]["created_at"]
    )
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["zendesk/tickets.jsonl"][0]["created_at"]
    )
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", c["hubspot/contacts.jsonl"][0]["createdAt"]
    )
    assert isinstance(c["hubspot/engagements.jsonl"][0]["engagement"]["timestamp"], int)
    timed = next(e for e in c["calendar/events.jsonl"] if "dateTime" in e["start"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", timed["start"]["dateTime"])
    assert timed["start"]["timeZone"] in (
        "Europe/Berlin",
        "Europe/London",
        "America/New_York",
        "America/Los_Angeles",
        "Asia/Kolkata",
        "Australia/Sydney",
    )
    assert any("date" in e["start"] for e in c["calendar/events.jsonl"])  # all-day events
    scim = c["roster/users.jsonl"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", scim["meta"]["lastModified"])
    ext = scim["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", ext["startDate"])
    # Jira offsets follow people's time zones: more than one offset appears
    offsets = {i["fields"]["created"][-5:] for i in c["jira/issues.jsonl"]}
    assert len(offsets) > 1


def test_nothing_happens_after_the_export(demo: dict[str, Any]) -> None:
    for tool, policy in demo["policies"].items():
        for name, table in policy["tables"].items():
            field = table.get("time_field")
            if not field:
                continue
            spec = table["columns"][field]
            for rec in demo["clean"][f"{tool}/{table['file']}"]:
                for r, e, i in rows_of(rec, table):
                    value = column_value(r, e, i, spec)
                    if value is MISSING or value is None:
                        continue
                    assert parse_ts(value, spec["type"]) < EXPORT_TIME, f"{tool}.{name}: {value}"


def test_people_join_across_tools_only_through_the_roster_email(demo: dict[str, Any]) -> None:
    c = demo["clean"]
    staff = {u["userName"] for u in c["roster/users.jsonl"]}
    assert all(u["userName"] == u["emails"][0]["value"] for u in c["roster/users.jsonl"])
    gh = c["github/users.jsonl"]
    assert {u["email"] for u in gh if u["type"] == "User"} <= staff
    assert {"dependabot[bot]", "renovate[bot]"} <= {u["login"] for u in gh if u["type"] == "Bot"}
    jira = c["jira/users.jsonl"]
    assert {u["emailAddress"] for u in jira if u["accountType"] == "atlassian"} <= staff
    assert any(u["accountType"] == "app" for u in jira)
    assert {u["email"] for u in c["pagerduty/users.jsonl"]} <= staff
    zd = c["zendesk/users.jsonl"]
    assert {u["email"] for u in zd if u["role"] in ("agent", "admin")} <= staff
    assert not {u["email"] for u in zd if u["role"] == "end-user"} & staff
    assert {u["email"] for u in c["hubspot/owners.jsonl"]} <= staff
    organizers = {e["organizer"]["email"] for e in c["calendar/events.jsonl"]}
    assert organizers <= staff
    # a bot creates most deployments
    creators = Counter(d["creator"]["type"] for d in c["github/deployments.jsonl"])
    assert creators["Bot"] > creators["User"]


def test_ids_look_like_the_real_tools(demo: dict[str, Any]) -> None:
    c = demo["clean"]
    assert isinstance(c["github/pull_requests.jsonl"][0]["id"], int)
    issue = c["jira/issues.jsonl"][0]
    assert isinstance(issue["id"], str) and issue["id"].isdigit()
    assert re.fullmatch(r"[A-Z][A-Z0-9]+-\d+", issue["key"])
    assert all(re.fullmatch(r"P[A-Z0-9]{6}", i["id"]) for i in c["pagerduty/incidents.jsonl"])
    assert isinstance(c["zendesk/tickets.jsonl"][0]["id"], int)
    assert c["hubspot/contacts.jsonl"][0]["id"].isdigit()
    assert re.fullmatch(r"[0-9a-f-]{36}", c["roster/users.jsonl"][0]["id"])
    assert all(
        re.fullmatch(r"[a-v0-9]{26}(_\d{8}T\d{6}Z)?", e["id"]) for e in c["calendar/events.jsonl"]
    )


# -- data quality: duplicates and broken records -------------------------------------------------
def test_broken_records_are_exactly_the_listed_ones(demo: dict[str, Any]) -> None:
    listed = {(b["file"], b["line"]): b["reason"] for b in demo["manifest"]["broken_records"]}
    assert 3 <= len(listed) <= 8
    assert any(f == "github/pull_requests.jsonl" for f, _ in listed)
    assert any(f == "zendesk/tickets.jsonl" for f, _ in listed)
    tables_by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tool, policy in demo["policies"].items():
        for table in policy["tables"].values():
            tables_by_file[f"{tool}/{table['file']}"].append(table)
    found = {}
    for rel, records in demo["files"].items():
        for line, rec in enumerate(records, 1):
            problems = row_problems(rec, tables_by_file[rel])
            if problems:
                found[(rel, line)] = problems
    assert set(found) == set(listed)
    for key, reason in listed.items():
        expected = "missing" if reason == "missing_primary_key" else "unparsable"
        assert all(p.startswith(expected) for p in found[key]), (key, found[key])


def test_some_records_are_delivered_twice_some_out_of_order(demo: dict[str, Any]) -> None:
    assert sum(demo["manifest"]["duplicates"].values()) > 0
    out_of_order = 0
    for tool, policy in demo["policies"].items():
        for table in policy["tables"].values():
            dedup = table.get("dedup_by")
            if not dedup or table.get("explode"):
                continue
            pk = table["columns"][table["primary_key"][0]]["path"]
            upd = table["columns"][dedup]["path"]
            newest: dict[Any, datetime] = {}
            for rec in demo["clean"][f"{tool}/{table['file']}"]:
                key, ts = resolve(rec, pk), parse_ts(resolve(rec, upd), "timestamp")
                if key in newest and ts < newest[key]:
                    out_of_order += 1
                newest[key] = max(ts, newest.get(key, ts))
    assert out_of_order > 0


# -- the organisation -------------------------------------------------------------------------------
def test_people_ops_has_three_people(demo: dict[str, Any]) -> None:
    teams = Counter(roster_team_by_email(demo).values())
    assert teams["People Ops"] == 3
    assert demo["manifest"]["planted"]["small_team"] == {
        "team": "People Ops",
        "members": 3,
        "function": "People",
    }
    assert len(teams) >= 8 and all(n >= 5 for t, n in teams.items() if t != "People Ops")


def test_people_ops_is_three_at_any_scale(tmp_path: Path) -> None:
    from outcomes.demo.org import build_org

    for people in (40, 333, 5000):
        org = build_org(people, 4, SEED, END)
        assert [len(t.members) for t in org.teams if t.name == "People Ops"] == [3]
        assert sum(len(t.members) for t in org.teams) == people


# -- planted facts -----------------------------------------------------------------------------------
PLANTED_KEYS = {
    "slow_review_team",
    "incident_after_deployment",
    "overloaded_support_queue",
    "slow_sales_team",
    "declined_recurring_meeting",
    "small_team",
}


def test_manifest_lists_the_planted_facts(demo: dict[str, Any]) -> None:
    assert set(demo["manifest"]["planted"]) >= PLANTED_KEYS
    assert demo["result"].planted == demo["manifest"]["planted"]
    team_names = {t["name"] for t in demo["manifest"]["teams"]}
    for key in ("slow_review_team", "overloaded_support_queue", "slow_sales_team", "small_team"):
        assert demo["manifest"]["planted"][key]["team"] in team_names


def test_planted_slow_review_team(demo: dict[str, Any]) -> None:
    fact = demo["manifest"]["planted"]["slow_review_team"]
    c = demo["clean"]
    team_of_repo = {r: t["name"] for t in demo["manifest"]["teams"] for r in t["repositories"]}
    bots = {u["login"] for u in c["github/users.jsonl"] if u["type"] == "Bot"}
    prs = latest(c["github/pull_requests.jsonl"], "id", "updated_at")
    first: dict[int, datetime] = {}
    for r in c["github/reviews.jsonl"]:
        pr = prs.get(r["pull_request_id"])
        if pr is None or r["user"]["login"] in bots or r["user"]["login"] == pr["user"]["login"]:
            continue
        t = parse_ts(r["submitted_at"], "timestamp")
        first[r["pull_request_id"]] = min(t, first.get(r["pull_request_id"], t))
    hours: dict[bool, list[float]] = {True: [], False: []}
    for pid, t in first.items():
        pr = prs[pid]
        slow = team_of_repo[pr["base"]["repo"]["full_name"]] == fact["team"]
        hours[slow].append((t - parse_ts(pr["created_at"], "timestamp")).total_seconds() / 3600)
    slow_med, other_med = statistics.median(hours[True]), statistics.median(hours[False])
    assert slow_med > 3 * other_med
    assert slow_med == pytest.approx(fact["pickup_median_hours"], rel=0.1)
    assert other_med == pytest.approx(fact["other_teams_pickup_median_hours"], rel=0.1)


def test_planted_deployment_causes_an_unlinked_incident(demo: dict[str, Any]) -> None:
    fact = demo["manifest"]["planted"]["incident_after_deployment"]
    c = demo["clean"]
    deployments = latest(c["github/deployments.jsonl"], "id", "updated_at")
    dep = deployments[fact["deployment_id"]]
    assert dep["environment"] == "production"
    assert dep["repository"]["full_name"] == fact["repository"]
    assert dep["sha"] == fact["deployment_sha"]
    finished = {
        s["deployment_id"]: parse_ts(s["created_at"], "timestamp")
        for s in c["github/deployment_statuses.jsonl"]
        if s["state"] == "success"
    }
    assert finished[dep["id"]] == parse_ts(fact["deployment_finished_at"], "timestamp")
    incident = latest(c["pagerduty/incidents.jsonl"], "id", "updated_at")[fact["incident_id"]]
    assert incident["service"]["summary"] == fact["service"] == fact["repository"].split("/")[1]
    assert incident["custom_fields"]["related_deployment_id"] is None
    started = parse_ts(incident["created_at"], "timestamp")
    assert timedelta(minutes=30) <= started - finished[dep["id"]] <= timedelta(minutes=120)
    # time-based attribution picks it: no other successful production deployment of
    # the service finished in between
    between = [
        d
        for d in deployments.values()
        if d["repository"]["full_name"] == fact["repository"]
        and d["environment"] == "production"
        and d["id"] != dep["id"]
        and d["id"] in finished
        and finished[d["id"]] <= started
        and finished[d["id"]] >= finished[dep["id"]]
    ]
    assert between == []


def test_planted_overloaded_support_queue(demo: dict[str, Any]) -> None:
    fact = demo["manifest"]["planted"]["overloaded_support_queue"]
    c = demo["clean"]
    hot_weeks = {date.fromisoformat(w) for w in fact["weeks"]}
    assert len(hot_weeks) == 4
    assert sorted(hot_weeks) == [min(hot_weeks) + timedelta(weeks=k) for k in range(4)]
    tickets = [
        t
        for t in latest(c["zendesk/tickets.jsonl"], "id", "updated_at").values()
        if t["group_id"] == fact["group_id"]
    ]
    week_of = {
        t["id"]: (lambda d: d - timedelta(days=d.weekday()))(
            parse_ts(t["created_at"], "timestamp").date()
        )
        for t in tickets
    }
    counts = Counter(week_of.values())
    others = [n for w, n in counts.items() if w not in hot_weeks]
    for w in hot_weeks:
        assert counts[w] >= 2 * statistics.median(others)
    agents = {u["id"] for u in c["zendesk/users.jsonl"] if u["role"] in ("agent", "admin")}
    first_reply: dict[int, datetime] = {}
    for audit in c["zendesk/ticket_audits.jsonl"]:
        if audit["ticket_id"] not in week_of:
            continue
        for e in audit["events"]:
            if e["type"] == "Comment" and e["public"] and e["author_id"] in agents:
                t = parse_ts(audit["created_at"], "timestamp")
                first_reply[audit["ticket_id"]] = min(t, first_reply.get(audit["ticket_id"], t))
    created = {t["id"]: parse_ts(t["created_at"], "timestamp") for t in tickets}
    hours = defaultdict(list)
    for tid, t in first_reply.items():
        hours[week_of[tid] in hot_weeks].append((t - created[tid]).total_seconds() / 3600)
    assert statistics.median(hours[True]) > 3 * statistics.median(hours[False])


def test_planted_slow_sales_team(demo: dict[str, Any]) -> None:
    fact = demo["manifest"]["planted"]["slow_sales_team"]
    c = demo["clean"]
    team_of_email = roster_team_by_email(demo)
    team_of_owner = {o["id"]: team_of_email[o["email"]] for o in c["hubspot/owners.jsonl"]}
    first_touch: dict[int, int] = {}
    for e in c["hubspot/engagements.jsonl"]:
        contact = e["associations"]["contactIds"][0]
        first_touch[contact] = min(e["engagement"]["timestamp"], first_touch.get(contact, 1 << 62))
    hours = defaultdict(list)
    for contact in latest(c["hubspot/contacts.jsonl"], "id", "updatedAt").values():
        touched = first_touch.get(int(contact["id"]))
        if touched is None:
            continue
        created = parse_ts(contact["createdAt"], "timestamp")
        slow = team_of_owner[contact["properties"]["hubspot_owner_id"]] == fact["team"]
        hours[slow].append((parse_ts(touched, "epoch_ms") - created).total_seconds() / 3600)
    assert statistics.median(hours[True]) > 24
    assert statistics.median(hours[False]) < 6


def test_planted_recurring_meeting_that_many_decline(demo: dict[str, Any]) -> None:
    fact = demo["manifest"]["planted"]["declined_recurring_meeting"]
    events = latest(demo["clean"]["calendar/events.jsonl"], "id", "updated").values()
    instances = [e for e in events if e.get("recurringEventId") == fact["recurring_event_id"]]
    held = [e for e in instances if e["status"] != "cancelled"]
    assert len(instances) == WEEKS and len(held) >= WEEKS - 1  # weekly; a holiday may cancel one
    responses: Counter[str] = Counter()
    invitees: set[str] = set()
    for e in held:
        people = [a for a in e["attendees"] if not a.get("resource")]
        assert len(people) >= 30
        assert "description" not in e  # no agenda
        invitees.update(a["email"] for a in people)
        responses.update(a["responseStatus"] for a in people if not a.get("organizer"))
    declined = responses["declined"] / sum(responses.values())
    assert 0.4 <= declined <= 0.6
    assert declined == pytest.approx(fact["decline_rate"], abs=0.001)
    assert len(invitees) == fact["invitees"] >= 30


def test_generation_result_prints_a_summary(demo: dict[str, Any]) -> None:
    text = str(demo["result"])
    assert "github/pull_requests.jsonl" in text and "Planted" in text
    assert demo["result"].seconds > 0
