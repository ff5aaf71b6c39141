"""What is removed from a ticket's text before its language is detected.

URLs, e-mail addresses, order and transaction ids, digits, symbols and emoji are not language,
and they fool character models (an English-looking URL in a German message). Shared by every
detector adapter so that they are compared on the same input.
"""

from __future__ import annotations

import re

NOISE = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+\.\S+"
    # ids such as ORD-99812, TXN-2024-000123 or A1B2C3D4: letters and digits joined, with a digit
    r"|\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b|\b[A-Z0-9]*\d[A-Z0-9-]{4,}\b"
    r"|[\d_#*/\\|<>\[\]{}()=+~^%$€£¥]+"
    # emoji and pictographs (with their variation selector): feelings, not words
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]+"
)
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def clean(text: str) -> str:
    """The text without noise, runs of white space made one space."""
    return " ".join(NOISE.sub(" ", text).split())
