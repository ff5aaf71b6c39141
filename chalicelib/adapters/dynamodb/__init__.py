"""The store on one DynamoDB table (single-table design; keys and indexes in infra/stack.py):
one repository per aggregate (`tickets.py`, `messages.py`, `response_times.py`), the indexes as
read-only projections plus the sweeper's bookkeeping (`indexes.py`), item spelling in `items.py`
and what they all share in `table.py`."""
