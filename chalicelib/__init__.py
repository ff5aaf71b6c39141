"""polyglot-desk: the Lambda-side code that Chalice packages next to app.py."""
