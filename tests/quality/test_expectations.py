"""The GX suites on hand-made frames: each broken property is named.

The suites judge the batch (its key); what one record gets wrong is the
record contract checked at ingest (tests/quality/test_record_contract.py)."""

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
    # 1 not-null + 1 unique key
    assert quality.expectations == 2
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


def test_one_records_values_never_fail_the_suite():
    """A timestamp out of range or an unknown value is the record's problem
    (quarantined at ingest), not the batch's: the suite does not judge it."""
    quality = validate_frame(
        _prs(
            created_at=pd.to_datetime(["1970-01-01", "2026-10-02", "2027-06-01"]),
            state=["open", "closed", "reopened_by_bot"],
        ),
        "raw_github",
        PRS,
        NOW,
    )
    assert quality.passed, quality.failures


def test_timestamps_read_from_the_warehouse_become_nanoseconds():
    """DuckDB gives pandas microsecond timestamps; read_table hands GX nanosecond
    ones (its vectorized checks) unless a value lies outside that range, which
    then stays as it was loaded (and does not fail the suite)."""
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
    assert validate_frame(frame, "raw_github", PRS, NOW).passed
