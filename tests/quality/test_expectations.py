"""The GX suites on hand-made frames: each broken property is named."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from outcomes.quality.expectations import validate_frame
from pipelines.common.load import source_module

NOW = dt.datetime(2026, 11, 20, 12, 0)
PRS = source_module("github").policy.table("pull_requests")
COMMITS = source_module("github").policy.table("commits")


def _prs(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "pull_request_id": [1, 2, 3],
            "repository_name": ["acme/api"] * 3,
            "state": ["open", "closed", "closed"],
            "created_at": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03"]),
            "updated_at": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03"]),
            "closed_at": pd.to_datetime([None, "2026-10-05", "2026-10-06"]),
            "merged_at": pd.to_datetime([None, "2026-10-05", None]),
            "_outcomes_loaded_at": pd.to_datetime(["2026-11-20"] * 3),
        }
    )
    for column, values in changes.items():
        frame[column] = values
    return frame


def test_clean_table_passes():
    quality = validate_frame(_prs(), "raw_github", PRS, NOW)
    assert quality.passed, quality.failures
    # 1 not-null + 1 unique key, 5 timestamps, 1 enum
    assert quality.expectations == 8
    assert quality.rows == 3


def test_duplicate_and_missing_keys_fail():
    quality = validate_frame(_prs(pull_request_id=[1, 1, None]), "raw_github", PRS, NOW)
    assert not quality.passed
    text = " | ".join(quality.failures)
    assert "expect_column_values_to_not_be_null on pull_request_id failed for 1 row(s)" in text
    assert "expect_column_values_to_be_unique on pull_request_id" in text


def test_compound_key_duplicates_fail():
    frame = pd.DataFrame(
        {
            "pull_request_id": [1, 1],
            "commit_sha": ["a", "a"],
            "authored_at": pd.to_datetime(["2026-10-01", "2026-10-01"]),
            "committed_at": pd.to_datetime(["2026-10-01", "2026-10-01"]),
            "_outcomes_loaded_at": pd.to_datetime(["2026-11-20"] * 2),
        }
    )
    quality = validate_frame(frame, "raw_github", COMMITS, NOW)
    assert [f.split(" on ")[0] for f in quality.failures] == [
        "expect_compound_columns_to_be_unique"
    ]


def test_timestamps_out_of_range_and_unknown_enum_fail():
    quality = validate_frame(
        _prs(
            created_at=pd.to_datetime(["1970-01-01", "2026-10-02", "2027-06-01"]),
            state=["open", "closed", "reopened_by_bot"],
        ),
        "raw_github",
        PRS,
        NOW,
    )
    text = " | ".join(quality.failures)
    assert "expect_column_values_to_be_between on created_at failed for 2 row(s)" in text
    assert "expect_column_values_to_be_in_set on state failed for 1 row(s)" in text
    assert "reopened_by_bot" in text
    assert quality.describe().startswith("raw_github.pull_requests: ")


def test_planned_and_historic_columns_have_their_own_range():
    """Found at 2,000 demo people: accounts created before 2000 and tickets due
    next week are real; a creation time of exactly 1970-01-01 is an unset value."""
    users = source_module("roster").policy.table("users")
    frame = pd.DataFrame(
        {
            "scim_user_key": ["a", "b", "c"],
            "created_at": pd.to_datetime(
                ["1991-12-22 16:50:00", "2026-10-01 00:00:00", "1970-01-01 00:00:00"]
            ),
            # found at 10,000 people: a record nobody edited since 1998 is real too
            "last_modified_at": pd.to_datetime(
                ["1998-04-10 12:23:45"] + ["2026-10-01 00:00:00"] * 2
            ),
            "time_zone": ["Europe/Berlin", None, "Asia/Kolkata"],
            "_outcomes_loaded_at": pd.to_datetime(["2026-11-20"] * 3),
        }
    )
    failures = validate_frame(frame, "raw_roster", users, NOW).failures
    assert [f.split(", e.g.")[0] for f in failures] == [
        "expect_column_values_to_be_between on created_at failed for 1 row(s)"
    ]
    assert "scim_user_key=c" in failures[0]

    tickets = source_module("zendesk").policy.table("tickets")
    due = validate_frame(
        pd.DataFrame(
            {
                "ticket_id": [1],
                "due_at": pd.to_datetime(["2026-11-25"]),  # five days after NOW
                "created_at": pd.to_datetime(["2026-11-19"]),
                "_outcomes_loaded_at": pd.to_datetime(["2026-11-20"]),
            }
        ),
        "raw_zendesk",
        tickets,
        NOW,
    )
    assert not any(" on due_at " in f for f in due.failures), due.failures


def test_timestamps_read_from_the_warehouse_are_judged_whatever_their_range():
    """DuckDB gives pandas microsecond timestamps; read_table hands GX nanosecond
    ones (its vectorized range check) unless a value lies outside that range,
    and such a value still fails, shown as it was loaded."""
    import duckdb

    from outcomes.quality.expectations import read_table

    con = duckdb.connect()
    con.execute("create schema raw_github")
    prs = _prs()  # noqa: F841 (read by DuckDB by name)
    timestamps = ["created_at", "updated_at", "closed_at", "merged_at", "_outcomes_loaded_at"]
    con.execute(
        "create table raw_github.pull_requests as select * replace ("
        + ", ".join(f"cast({c} as timestamp) as {c}" for c in timestamps)
        + ") from prs"
    )
    frame = read_table(con, "raw_github", "pull_requests")
    assert str(frame["created_at"].dtype) == "datetime64[ns]"
    assert validate_frame(frame, "raw_github", PRS, NOW).passed

    con.execute(
        "update raw_github.pull_requests set created_at = timestamp '9999-12-31 00:00' "
        "where pull_request_id = 2"
    )
    frame = read_table(con, "raw_github", "pull_requests")
    assert str(frame["created_at"].dtype) == "datetime64[us]"
    failures = validate_frame(frame, "raw_github", PRS, NOW).failures
    assert len(failures) == 1
    assert failures[0].startswith(
        "expect_column_values_to_be_between on created_at failed for 1 row(s)"
    )
    assert "9999-12-31" in failures[0] and "pull_request_id=2" in failures[0]


def test_a_time_zone_the_engine_does_not_know_fails_with_its_record():
    """The models convert roster times with the team's time zone; an unknown
    name used to stop `dbt build` with an engine error naming no record."""
    users = source_module("roster").policy.table("users")
    frame = pd.DataFrame(
        {
            "scim_user_key": ["a", "b", "c"],
            "created_at": pd.to_datetime(["2024-01-01"] * 3),
            "last_modified_at": pd.to_datetime(["2024-01-01"] * 3),
            "time_zone": ["Europe/Berlin", "Mars/Olympus", None],
            "_outcomes_loaded_at": pd.to_datetime(["2026-11-20"] * 3),
        }
    )
    failures = validate_frame(frame, "raw_roster", users, NOW).failures
    assert len(failures) == 1
    assert failures[0].startswith(
        "expect_column_values_to_be_in_set on time_zone failed for 1 row(s), e.g. ['Mars/Olympus']"
    )
    assert "scim_user_key=b" in failures[0]
