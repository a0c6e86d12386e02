"""Batches: many cases from one source, filled and saved unattended, with a crash-safe ledger."""
