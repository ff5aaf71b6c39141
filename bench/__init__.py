"""Benchmarks: each prints a table, with the peers it compares against measured in the same run."""
