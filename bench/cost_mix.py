"""The ticket mix the cost model replays: languages, lengths, messages, replies and reads.

Texts are assembled from the hand-written support messages of `bench/data/support_messages/`
(one file per served language), so each ticket is in its language, of the length drawn, and
different from the others (the translation cache must not make the mix look cheaper than it is).
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

MESSAGES_DIR = Path(__file__).parent / "data" / "support_messages"

# Relative volume of the non-English tickets of a global consumer app (an assumption: change it
# to your own traffic). English takes `english_share` of all tickets, the rest is shared so.
LANGUAGE_WEIGHTS = {
    "es": 14, "pt": 10, "fr": 6, "de": 5, "ja": 5, "id": 5, "ru": 4, "tr": 4, "ar": 4, "hi": 4,
    "zh": 4, "ko": 3, "vi": 3, "it": 3, "th": 2, "pl": 2, "tl": 2, "bn": 1.5, "nl": 1.5, "uk": 1.5,
    "fa": 1, "ms": 1, "ro": 1, "el": 0.5, "cs": 0.5, "hu": 0.5, "sv": 0.5, "he": 0.5,
}  # fmt: skip

AGENT_SENTENCES = (
    "Thank you for contacting us and sorry for the trouble.",
    "I have checked your account and I can see what happened.",
    "The duplicate charge has been refunded; it can take 5 to 10 business days to appear.",
    "Please update the app to the latest version and sign in again.",
    "Could you tell me which device and app version you are using?",
    "I have reset the verification so you can request a new code now.",
    "Your order is on its way and should arrive within two days.",
    "If the problem comes back, reply here and we will look at it again.",
)


@dataclass(frozen=True)
class MixConfig:
    tickets: int = 200
    seed: int = 13
    english_share: float = 0.30
    median_chars: int = 250  # a ticket's description (log-normal, sigma 0.8)
    message_chars: int = 120  # a requester's follow-up message
    reply_chars: int = 280  # an agent's reply (English)
    messages: float = 1.0  # follow-up messages per ticket (Poisson mean)
    replies: float = 1.5  # agent replies per ticket (Poisson mean)
    requester_reads: float = 3.0  # GETs of the ticket by the requester page (Poisson mean)
    agent_reads: float = 2.0  # GETs of the ticket by an agent (Poisson mean)
    # The share of tickets opened (once more) by an agent who does not read the ticket's language
    # (a shift covering another desk, a new hire, an overflow agent, a team lead): with the desks'
    # languages on, that open costs an on-demand translation when the desk reads the language.
    # The other agent reads come from agents who read it: the desks read their main languages
    # (chalicelib/data/desk_languages.json) and agents' tokens carry theirs. 0.15 is an
    # assumption: set yours.
    unread_share: float = 0.15
    # An assumption, to set from your own desks: the share of agents' replies to a ticket whose desk
    # reads its language (chalicelib/data/desk_languages.json: a Spanish ticket on latam) written in
    # that language, by agents who read it and now get it as written. Such a reply is already in the
    # requester's language: `skipped`, no provider call. Replies to English tickets and to tickets
    # their desk does not read are written in English. That is the run with the desks' languages on;
    # the DESK_LANGUAGES=off run ("today": every ticket machine-translated, agents reading the English
    # pivot) keeps every reply in English, the behaviour before the change. The report also derives
    # "off" with the same native replies, to separate what agents' writing saves from what the
    # desks' reading saves. 0 keeps every reply in English in both runs.
    native_replies: float = 0.8


@dataclass(frozen=True)
class Line:
    text: str
    locale: str
    country: str


@dataclass
class PlannedTicket:
    language: str
    body: dict[str, object]
    messages: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)  # in English: what agents write today
    # Per reply, the text an agent who reads the ticket's language writes instead (`native_replies`
    # of the replies to a ticket its desk reads), else None: used with the desks' languages on.
    native: list[str | None] = field(default_factory=list)
    requester_reads: int = 0
    agent_reads: int = 0
    opened_by_non_reader: bool = False  # one more agent read, by one who does not read it (unread_share)
    desk_reads: bool = False  # the desk it is routed to reads its language (desk_languages.json)

    def replies_for(self, desk_languages: bool) -> list[str]:
        """The replies as agents write them: with the desks' languages on, in the ticket's language
        where an agent who reads it answers; off, all in English."""
        if not desk_languages:
            return self.replies
        return [native or reply for reply, native in zip(self.replies, self.native, strict=True)]


def load_lines() -> dict[str, list[Line]]:
    lines: dict[str, list[Line]] = {}
    for path in sorted(MESSAGES_DIR.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        lines[path.stem] = [Line(row["text"], row["locale"] or "", row["country"] or "") for row in rows]
    return lines


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def text_of(rng: random.Random, pieces: list[str], median: int, limit: int = 3000) -> str:
    """Pieces joined in a random order until a log-normal length around `median` is reached."""
    target = min(limit, max(15, int(rng.lognormvariate(math.log(median), 0.8))))
    chosen: list[str] = []
    while sum(len(piece) + 1 for piece in chosen) < target:
        chosen.append(rng.choice(pieces))
    return " ".join(chosen)[:limit]


def plan(config: MixConfig) -> list[PlannedTicket]:
    rng = random.Random(config.seed)
    # A second stream, so that the share of non-reading agents leaves the rest of the plan as it was.
    readers = random.Random(config.seed * 7919 + 1)
    natives = random.Random(config.seed * 7919 + 2)
    lines = load_lines()
    others = [language for language in LANGUAGE_WEIGHTS if language in lines]
    weights = [LANGUAGE_WEIGHTS[language] for language in others]
    planned = []
    for index in range(config.tickets):
        english = rng.random() < config.english_share or not others
        language = "en" if english else rng.choices(others, weights)[0]
        pool = lines[language]
        texts = [line.text for line in pool]
        origin = next((line for line in pool if line.country and line.locale), pool[0])
        requester = {"id": f"cost-{index}", "country": origin.country, "locale": origin.locale}
        requester = {key: value for key, value in requester.items() if value}
        description = text_of(rng, texts, config.median_chars)
        messages = [text_of(rng, texts, config.message_chars, 2000) for _ in range(poisson(rng, config.messages))]
        replies = [
            text_of(rng, list(AGENT_SENTENCES), config.reply_chars, 2000) for _ in range(poisson(rng, config.replies))
        ]
        read = not english and desk_reads_language(origin, language)
        planned.append(
            PlannedTicket(
                language,
                {"description": description, "requester": requester},
                messages,
                replies,
                _native(natives, texts if read else None, config, len(replies)),
                poisson(rng, config.requester_reads),
                poisson(rng, config.agent_reads),
                readers.random() < config.unread_share,
                read,
            )
        )
    return planned


def desk_reads_language(origin: Line, language: str) -> bool:
    """Whether the desk a ticket from `origin` in `language` is routed to reads the language (the
    app's own routing table and desk_languages.json, with a confident detection assumed)."""
    from chalicelib.domain.desk_languages import desk_reads
    from chalicelib.domain.routing import routing_table
    from chalicelib.domain.ticket import Language, Requester

    detected = Language(language, 0.99, "text")
    region, _ = routing_table().region_for(
        Requester(locale=origin.locale or None, country=origin.country or None), detected
    )
    return desk_reads(region, detected)


def _native(natives: random.Random, texts: list[str] | None, config: MixConfig, count: int) -> list[str | None]:
    """Per reply, the text written in the ticket's language (`texts`: its lines; None when its desk
    does not read it) by `native_replies` of the agents, else None. Lines of the language's
    requester messages stand in for an agent's words: only the language and the length matter to
    what a provider is sent. Its own random stream, so the rest of the plan is the same whatever
    the share."""
    if texts is None:
        return [None] * count
    return [
        text_of(natives, texts, config.reply_chars, 2000) if natives.random() < config.native_replies else None
        for _ in range(count)
    ]


def language_shares(planned: list[PlannedTicket]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for ticket in planned:
        counts[ticket.language] = counts.get(ticket.language, 0) + 1
    return {language: count / len(planned) for language, count in sorted(counts.items(), key=lambda kv: -kv[1])}
