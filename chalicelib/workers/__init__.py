"""SQS and scheduled workers: thin Chalice blueprints over the shared stage runner."""
