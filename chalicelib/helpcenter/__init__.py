"""The help center's matcher: content (data/help_center), analysis, index, ranking, abstention.

`Matcher(default_content()).match(text, language, confidence)` ranks the topics for a question
or abstains; see README.md in this folder for how it works, its calibration and its costs.
"""

from chalicelib.helpcenter.content import (
    Article,
    Content,
    ContentError,
    Topic,
    default_content,
    load_content,
    validate,
)
from chalicelib.helpcenter.matcher import Match, Matcher, Ranked, Tuning

__all__ = [
    "Article",
    "Content",
    "ContentError",
    "Match",
    "Matcher",
    "Ranked",
    "Topic",
    "Tuning",
    "default_content",
    "load_content",
    "validate",
]
