"""Data quality of the warehouse as plain functions (Dagster only calls them).

- `expectations`: Great Expectations suites (pandas path) on every raw table.
- `row_counts`: rows each load read, kept in `quality.row_counts`, so a load
  that suddenly reads far fewer rows than the last good one is caught.
- `reconcile`: events per source and type in `marts.fct_work_events` against
  the raw rows that produce them.
"""
