"""Pure logic: no Chalice, no boto3, no network. Everything here is testable with plain values."""
