"""The application layer: one module per use case (submit a ticket, add a message, claim, change
a desk state, run a pipeline stage, sweep, escalate). Each takes its dependencies once, from
`chalicelib/composition_root.py`, and calls the pure rules of `domain/` between reads and writes
through the ports of `domain/repositories.py` and `domain/ports.py`. No Chalice, no boto3 here."""
