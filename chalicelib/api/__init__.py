"""HTTP blueprints: read the request, call one domain function, shape the answer."""
