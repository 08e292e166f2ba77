"""Shared machinery of the file-export loaders: policies, the JSONL reader, dlt wiring."""
