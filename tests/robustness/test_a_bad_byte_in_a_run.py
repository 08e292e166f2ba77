"""One bad byte in one record, and one export file missing, in a whole `outcomes run` (issue 14).

A byte that is not UTF-8 inside a person's login, in one pull request of
the GitHub export, used to stop the whole run (no later source loaded, no
build) with a message printing the record, login included. Now the record
is quarantined as "not valid UTF-8 text" and the run goes on. Nothing the
run writes or prints names the login: not stdout or stderr, not dlt's
pipeline folders, dbt's target and logs, the audit log or the digest (the
warehouse holds pseudonyms; other tests check it).

The same run's Jira folder lacks `changelogs.jsonl` (it has its other
files): the run summary names the file it expected and did not find, and
the load goes on.

One generated export (40 people, 4 weeks, seed 7) and one real run of the
installed command, with its build, for the module.
"""

from __future__ import annotations

import pytest

from outcomes.demo import generate
from tests.robustness.cli_runs import (
    END,
    PEOPLE,
    SEED,
    WEEKS,
    Run,
    landed_per_file,
    outcomes_run,
    write_config,
)

pytestmark = pytest.mark.xdist_group("bad_byte_run")

SOURCES = ("roster", "github", "jira", "pagerduty", "zendesk", "hubspot", "calendar")
LOGIN = b"janadubois"  # a roster person's GitHub login (seed 7)
BAD_LOGIN = b"jana\xffdubois"
FIRST_PR_LINE = 14  # the first pull request janadubois opened: line 14 of pull_requests.jsonl
MISSING = "changelogs.jsonl"

# Rows each table lands: the file's records less its planted repeats and
# broken records (outcomes/demo, manifest.json), less the corrupted record.
LANDED = {
    "raw_roster.users": ("roster/users.jsonl", 40),
    "raw_github.users": ("github/users.jsonl", 19),
    "raw_github.repositories": ("github/repositories.jsonl", 6),
    # 157 records, 1 without its id (line 17), 1 with the bad byte (line 14)
    "raw_github.pull_requests": ("github/pull_requests.jsonl", 155),
    "raw_github.reviews": ("github/reviews.jsonl", 203),  # 204 - 1 repeat
    "raw_github.commits": ("github/commits.jsonl", 376),  # 378 - 2 repeats
    "raw_github.workflow_runs": ("github/workflow_runs.jsonl", 354),  # 357 - 3 repeats
    # the sources after github, in the config's order
    "raw_jira.users": ("jira/users.jsonl", 41),
    "raw_jira.issues": ("jira/issues.jsonl", 115),  # 116 - 1 unparsable timestamp
    "raw_pagerduty.users": ("pagerduty/users.jsonl", 17),
    "raw_pagerduty.incidents": ("pagerduty/incidents.jsonl", 19),
    "raw_pagerduty.log_entries": ("pagerduty/log_entries.jsonl", 78),
    "raw_zendesk.users": ("zendesk/users.jsonl", 108),  # 109 - 1 repeat
    "raw_zendesk.tickets": ("zendesk/tickets.jsonl", 307),  # 310 - 2 repeats - 1 broken
    "raw_zendesk.satisfaction_ratings": ("zendesk/satisfaction_ratings.jsonl", 78),
    "raw_hubspot.owners": ("hubspot/owners.jsonl", 6),
    "raw_hubspot.contacts": ("hubspot/contacts.jsonl", 111),  # 112 - 1 broken
    "raw_hubspot.deals": ("hubspot/deals.jsonl", 14),
    "raw_hubspot.engagements": ("hubspot/engagements.jsonl", 167),
    "raw_calendar.events": ("calendar/events.jsonl", 273),  # 275 - 1 repeat - 1 broken
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("bad_byte_run")
    exports = root / "exports"
    generate(exports, people=PEOPLE, weeks=WEEKS, seed=SEED, end_date=END)

    pulls = exports / "github" / "pull_requests.jsonl"
    lines = pulls.read_bytes().split(b"\n")
    author = b'"user":{"login":"' + LOGIN + b'"'
    line = next(n for n, text in enumerate(lines, start=1) if author in text)
    assert line == FIRST_PR_LINE
    lines[line - 1] = lines[line - 1].replace(author, b'"user":{"login":"' + BAD_LOGIN + b'"', 1)
    pulls.write_bytes(b"\n".join(lines))
    (exports / "jira" / MISSING).unlink()

    config = write_config(root / "outcomes.yml", {name: exports / name for name in SOURCES})
    return outcomes_run(root / "run", config, exports=exports)


def test_the_run_succeeds_and_builds(run):
    assert run.returncode == 0, run.failure()
    assert b"Traceback" not in run.stderr
    stages = run.lines[run.lines.index("Elapsed per stage:") + 1 :]
    assert [line.split()[0] for line in stages[:3]] == ["load", "build", "total"]
    # every pull request that landed opened one event in the built marts
    assert run.query(
        "select count(*) from marts.fct_work_events where event_type = 'pr.opened'"
    ) == [(155,)]


def test_every_source_after_the_bad_record_loads(run):
    assert run.returncode == 0, run.failure()
    derived = landed_per_file(run.exports)
    derived["github/pull_requests.jsonl"] -= 1  # the record with the bad byte
    assert {table: derived[file] for table, (file, _) in LANDED.items()} == {
        table: rows for table, (_, rows) in LANDED.items()
    }  # the hand count agrees with the generator's manifest

    assert {table: run.count(table) for table in LANDED} == {
        table: rows for table, (_, rows) in LANDED.items()
    }
    loaded = [line.split()[0] for line in run.lines if line.startswith("  ") and "->" in line]
    assert loaded == list(SOURCES)


def test_the_record_is_quarantined_without_its_values(run):
    assert run.returncode == 0, run.failure()
    assert run.query(
        "select file_name, record_number, record_key, field_name, reason, bad_value "
        "from quarantine.records where source_system = 'github' and table_name = 'pull_requests' "
        "order by record_number"
    ) == [
        ("pull_requests.jsonl", FIRST_PR_LINE, None, "<record>", "not valid UTF-8 text", None),
        ("pull_requests.jsonl", 17, None, "pull_request_id", "missing required field", None),
    ]
    assert "  github.pull_requests: not valid UTF-8 text x1" in run.lines


@pytest.mark.parametrize(
    "needle",
    [LOGIN, LOGIN[:4], LOGIN[4:], BAD_LOGIN],
    ids=["login", "before-the-byte", "after-the-byte", "as-corrupted"],
)
def test_nothing_the_run_prints_or_writes_names_the_login(run, needle):
    assert run.returncode == 0, run.failure()
    # the exports do name it (the search would find it), the run folder does not
    exported = (run.exports / "github" / "pull_requests.jsonl").read_bytes()
    assert needle in exported + exported.replace(BAD_LOGIN, LOGIN)
    assert needle not in run.stdout
    assert needle not in run.stderr
    assert run.files_holding(needle) == []


def test_the_search_covers_what_the_run_wrote(run):
    written = {p.relative_to(run.folder).parts[0] for p in run.folder.rglob("*") if p.is_file()}
    assert {".dlt_outcomes", "dbt_target_outcomes", "outcomes_privacy_audit.jsonl"} <= written
    assert list((run.folder / "dbt_target_outcomes" / "logs").glob("dbt.log*"))
    assert (run.folder / "outcomes_digest.md").is_file()


def test_a_missing_file_is_named_and_the_load_goes_on(run):
    assert run.returncode == 0, run.failure()
    jira = next(n for n, line in enumerate(run.lines) if line.startswith("  jira "))
    pagerduty = next(n for n, line in enumerate(run.lines) if line.startswith("  pagerduty "))
    assert run.lines[jira + 1 : pagerduty] == [
        "    ! sprints: no file matching 'sprints.jsonl'",  # optional, never in the demo
        "    ! changelog_items: no file matching 'changelogs.jsonl'",
    ]
    assert run.count("raw_jira.changelog_items") == 0
    assert run.count("raw_jira.issues") == 115  # the rest of the folder loaded
