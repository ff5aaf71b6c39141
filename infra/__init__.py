"""The one definition of every AWS resource the app uses (see stack.py)."""
