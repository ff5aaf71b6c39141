"""Operator commands, run as `python -m chalicelib.cli COMMAND ...` (see __main__.py)."""
