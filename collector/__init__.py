"""Ingest: parse and validate requests, enrich events in named steps, spool and store them."""
