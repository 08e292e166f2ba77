"""Nudges (docs/nudges.md): the rules' candidates delivered with respect.

The rules are SQL (models/nudges/, thresholds in seeds/nudges/); this package
decides what is delivered (`policy`: opt-in, frequency caps, quiet hours and
non-working days in the recipient's own time zone, repeats, digests), signs
and posts it (`signing`, `delivery`), and keeps the delivery log and the
opt-ins in the warehouse (`store`). `run` ties them together for
`outcomes nudges preview` / `send` and the Dagster schedule.
"""
