"""The localized notification templates (`data/notification_templates.json`) and their renderer.

Every served language has a subject and a plain-text body per notification type, written ahead
of time (never translated at send time); `review` says whether a native speaker checked them
("reviewed") or not yet ("machine"). A language without a template falls back to `fallback`.

Templates name values as `{ticket_number}`; each type may use only its `TEMPLATE_PARAMS`. The
values are user and agent text, so rendering is defensive: templates are parsed with
`string.Formatter().parse` and only plain names are substituted (no `{x.attr}`, `{x[0]}`,
conversions or format specs), control characters are stripped, the subject is one line of at
most 200 characters, and the HTML escapes every value. Right-to-left languages isolate each
inserted value (U+2068 ... U+2069 in text, `<bdi>` in HTML) so ticket numbers and Latin names
keep their order.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.domain.catalog import load
from chalicelib.domain.notifications import TEMPLATE_PARAMS, NotificationType

DATA_FILE = "notification_templates.json"
MAX_SUBJECT_CHARS = 200
REVIEW_STATUSES = ("reviewed", "machine")
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
# Values that may hold several lines; every other value is one line.
MULTILINE_PARAMS = frozenset({"reply_text", "update_text"})
FSI = "\u2068"  # first strong isolate
PDI = "\u2069"  # pop directional isolate
# Deprecated or alternative codes for a language we have under another code.
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "fil": "tl", "zsm": "ms"}
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
# Embeddings, overrides and isolates in a value could reorder the text around it.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


class TemplateError(ValueError):
    """A notification cannot be rendered: a missing value, or a template naming what it may not."""


@dataclass(frozen=True)
class RenderedNotification:
    language: str  # the template language used (the fallback when the asked one has none)
    direction: str  # "ltr" or "rtl"
    review: str  # "reviewed" or "machine"
    subject: str
    text: str
    html: str


Piece = tuple[str, str | None]  # (literal text, None) or ("", placeholder name)


def parse_template(template: str, kind: NotificationType) -> list[Piece]:
    """The template as literal text and placeholder names; TemplateError for anything else."""
    allowed = TEMPLATE_PARAMS[kind]
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(f"{kind.value}: {error}") from None
    pieces: list[Piece] = []
    for literal, name, spec, conversion in parsed:
        if literal:
            pieces.append((literal, None))
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise TemplateError(f"{kind.value}: placeholder {{{shown}}} is not one of {', '.join(allowed)}")
        pieces.append(("", name))
    return pieces


def placeholders(template: str, kind: NotificationType) -> Counter[str]:
    """How many times the template names each placeholder."""
    return Counter(name for _, name in parse_template(template, kind) if name is not None)


def direction_of(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def language_code(language: str) -> str:
    """ "pt-BR", "pt_br", "PT" -> "pt"; "iw" -> "he"."""
    primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    return _ALIASES.get(primary, primary)


def clean_value(name: str, value: object, one_line: bool = False) -> str:
    """A value without control characters: line breaks kept (as \\n) only in multi-line values."""
    text = _LINE_BREAK.sub("\n", str(value))
    text = _BIDI_CONTROL.sub("", text)
    keep_lines = name in MULTILINE_PARAMS and not one_line
    if not keep_lines:
        text = text.replace("\n", " ")
    text = text.replace("\t", " ")
    return "".join(char for char in text if char == "\n" or unicodedata.category(char) != "Cc").strip()


class TemplateCatalog:
    """One version of the template data: the languages, their templates, and the renderer."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version = int(data.get("version", 0))
        self.fallback = str(data.get("fallback", "en"))
        self.languages: Mapping[str, Mapping[str, Any]] = data.get("languages", {})

    def entry_for(self, kind: NotificationType, language: str) -> tuple[str, Mapping[str, Any]]:
        """The language to render `kind` in (the fallback when `language` has no template)."""
        code = language_code(language)
        entry = self.languages.get(code)
        if entry is not None and kind.value in entry.get("templates", {}):
            return code, entry
        fallback = self.languages.get(self.fallback)
        if fallback is None or kind.value not in fallback.get("templates", {}):
            raise TemplateError(f"{kind.value}: no template in {code!r} nor in the fallback {self.fallback!r}")
        return self.fallback, fallback

    def render(self, kind: NotificationType | str, language: str, params: Mapping[str, object]) -> RenderedNotification:
        kind = NotificationType(kind)
        code, entry = self.entry_for(kind, language)
        template = entry["templates"][kind.value]
        subject_pieces = parse_template(str(template["subject"]), kind)
        paragraphs = [parse_template(part, kind) for part in _paragraphs(str(template["body"]))]
        values = self._values(kind, entry, params)
        rtl = entry.get("direction") == "rtl"
        direction = "rtl" if rtl else "ltr"
        subject = _subject(subject_pieces, values, rtl)
        text = "\n\n".join(_plain(pieces, values, rtl) for pieces in paragraphs)
        body = [_html_paragraph(pieces, values, rtl) for pieces in paragraphs]
        document = _document(code, direction, subject, body)
        return RenderedNotification(code, direction, str(entry.get("review", "machine")), subject, text, document)

    def _values(self, kind: NotificationType, entry: Mapping[str, Any], params: Mapping[str, object]) -> dict[str, str]:
        missing = [name for name in TEMPLATE_PARAMS[kind] if params.get(name) is None]
        if missing:
            raise TemplateError(f"{kind.value}: missing {', '.join(missing)}")
        values = {name: str(params[name]) for name in TEMPLATE_PARAMS[kind]}
        if "incident_status" in values:
            values["incident_status"] = self._status_label(entry, values["incident_status"])
        return values

    def _status_label(self, entry: Mapping[str, Any], key: str) -> str:
        status = key.strip().lower()
        fallback = self.languages.get(self.fallback, {})
        for labels in (entry.get("incident_statuses", {}), fallback.get("incident_statuses", {})):
            if status in labels:
                return str(labels[status])
        raise TemplateError(f"incident_status {key!r} is not one of {', '.join(INCIDENT_STATUSES)}")

    def problems(self, required: Iterable[str]) -> list[str]:
        """What keeps the data from serving every `required` language with every type."""
        found: list[str] = []
        source = self.languages.get(self.fallback)
        if source is None:
            return [f"the fallback language {self.fallback!r} has no templates"]
        for code in sorted({*required, *self.languages}):
            entry = self.languages.get(code)
            if entry is None:
                found.append(f"{code}: missing")
                continue
            if not isinstance(entry, Mapping) or not isinstance(entry.get("templates", {}), Mapping):
                found.append(f"{code}: not a language object with a templates object")
                continue
            found += [f"{code}: {problem}" for problem in _language_problems(code, entry, source)]
        return found


def _language_problems(code: str, entry: Mapping[str, Any], source: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    if entry.get("review") not in REVIEW_STATUSES:
        found.append(f"review {entry.get('review')!r} is not one of {', '.join(REVIEW_STATUSES)}")
    if entry.get("direction") != direction_of(code):
        found.append(f"direction {entry.get('direction')!r} should be {direction_of(code)!r}")
    statuses = entry.get("incident_statuses", {})
    missing_statuses = [key for key in INCIDENT_STATUSES if not str(statuses.get(key, "")).strip()]
    if missing_statuses:
        found.append(f"incident_statuses missing {', '.join(missing_statuses)}")
    templates = entry.get("templates", {})
    for kind in NotificationType:
        template = templates.get(kind.value)
        if template is None:
            found.append(f"{kind.value}: missing")
            continue
        found += [f"{kind.value}: {problem}" for problem in _template_problems(kind, template, source)]
    return found


def _template_problems(kind: NotificationType, template: Mapping[str, Any], source: Mapping[str, Any]) -> list[str]:
    if not isinstance(template, Mapping):
        return ["not an object with a subject and a body"]
    subject, body = template.get("subject"), template.get("body")
    if not isinstance(subject, str) or not subject.strip() or not isinstance(body, str) or not body.strip():
        return ["subject and body must be non-empty text"]
    if _LINE_BREAK.search(subject):
        return ["the subject must be one line"]
    try:
        used = placeholders(subject, kind) + placeholders(body, kind)
    except TemplateError as error:
        return [str(error).removeprefix(f"{kind.value}: ")]
    english = source["templates"].get(kind.value)
    if english is None:
        return []
    expected = placeholders(english["subject"], kind) + placeholders(english["body"], kind)
    if set(used) != set(expected):
        return [f"uses {sorted(used)}, the fallback uses {sorted(expected)}"]
    return []


def _paragraphs(body: str) -> list[str]:
    return [part.strip("\n") for part in _PARAGRAPH_BREAK.split(body.replace("\r\n", "\n")) if part.strip()]


def _subject(pieces: list[Piece], values: Mapping[str, str], rtl: bool) -> str:
    parts: list[str] = []
    for literal, name in pieces:
        if name is None:
            parts.append(literal)
        else:
            value = clean_value(name, values[name], one_line=True)
            parts.append(f"{FSI}{value}{PDI}" if rtl else value)
    subject = re.sub(r"[ \t]{2,}", " ", _LINE_BREAK.sub(" ", "".join(parts))).strip()
    return _fit(subject, MAX_SUBJECT_CHARS)


def _fit(subject: str, limit: int) -> str:
    """At most `limit` characters, cut with an ellipsis; isolates the cut left open are closed."""
    if len(subject) <= limit:
        return subject
    for length in range(limit - 1, 0, -1):
        cut = subject[:length].rstrip()
        still_open = max(cut.count(FSI) - cut.count(PDI), 0)
        if len(cut) + 1 + still_open <= limit:
            return cut + "…" + PDI * still_open
    return subject[: limit - 1] + "…"


def _plain(pieces: list[Piece], values: Mapping[str, str], rtl: bool) -> str:
    parts: list[str] = []
    for literal, name in pieces:
        if name is None:
            parts.append(literal)
            continue
        value = clean_value(name, values[name])
        if not rtl:
            parts.append(value)
        elif name.endswith("_link"):
            # A space before the PDI: a mail client that links bare URLs stops there, not after it.
            parts.append(f"{FSI}{value} {PDI}")
        else:
            # An isolate ends at a line break: each line of a value gets its own.
            parts.append("\n".join(f"{FSI}{line}{PDI}" for line in value.split("\n")))
    return "".join(parts)


def _html_paragraph(pieces: list[Piece], values: Mapping[str, str], rtl: bool) -> str:
    parts: list[str] = []
    for literal, name in pieces:
        if name is None:
            parts.append(html.escape(literal).replace("\n", "<br>\n"))
            continue
        value = clean_value(name, values[name])
        if name.endswith("_link") and value.lower().startswith(("https://", "http://")):
            inner = f'<a href="{html.escape(value, quote=True)}">{html.escape(value)}</a>'
        else:
            inner = html.escape(value).replace("\n", "<br>\n")
        parts.append(f"<bdi>{inner}</bdi>" if rtl else inner)
    return "".join(parts)


def _document(language: str, direction: str, subject: str, paragraphs: list[str]) -> str:
    style = ' style="direction:rtl;text-align:right"' if direction == "rtl" else ""
    lines = [
        "<!doctype html>",
        f'<html lang="{html.escape(language, quote=True)}" dir="{direction}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(subject)}</title>",
        "</head>",
        f"<body{style}>",
        *(f"<p>{paragraph}</p>" for paragraph in paragraphs),
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def default_catalog() -> TemplateCatalog:
    return TemplateCatalog(load(DATA_FILE))


def render(kind: NotificationType, language: str, params: Mapping[str, str]) -> RenderedNotification:
    """`kind` in `language` ("pt-BR" -> pt; the fallback when it has none) with `params` filled in."""
    return default_catalog().render(kind, language, params)


def template_languages() -> frozenset[str]:
    return frozenset(default_catalog().languages)


def review_status(language: str) -> str:
    """ "reviewed" or "machine" for the templates `language` is served with (the fallback's if none)."""
    catalog = default_catalog()
    code = language_code(language)
    entry = catalog.languages.get(code) or catalog.languages.get(catalog.fallback, {})
    return str(entry.get("review", "machine"))


def template_version() -> int:
    return default_catalog().version
