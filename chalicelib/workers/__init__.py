"""SQS and scheduled workers: thin Chalice blueprints over the use cases (chalicelib/usecases)."""
