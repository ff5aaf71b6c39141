"""Check the localized notification templates, or machine-translate the missing ones.

`templates check` lists every language (review status, direction) and exits 1 when a served
language lacks one of the notification types, or a template names a placeholder its type may
not use (or not the ones the English template uses).

`templates fill` translates the English templates into the served languages that have none (or
lack some types) through the desk's provider chain (TRANSLATORS and the provider settings, as
the workers use them), and marks them `"review": "machine"` until a native speaker checks them.
Placeholders travel as ids the masking layer protects; a language whose translation loses or
repeats one is reported and left out. Without --write it prints the new languages as JSON;
with --write it updates the data file. Existing languages are kept unless --force.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalicelib.domain.catalog import DATA_DIR, served_languages
from chalicelib.domain.notification_templates import (
    DATA_FILE,
    INCIDENT_STATUSES,
    TemplateCatalog,
    TemplateError,
    direction_of,
    parse_template,
    placeholders,
)
from chalicelib.domain.notifications import NotificationType
from chalicelib.domain.translation import NotTranslated, TextTranslator

NAME = "templates"
HELP = "check the notification templates, or machine-translate missing languages (check | fill)"
DEFAULT_FILE = DATA_DIR / DATA_FILE
# What a placeholder travels as: an id the masking layer keeps away from the provider.
TOKEN = "ZQX{:02d}"


class FillFailed(RuntimeError):
    """One language could not be filled: nothing of it is written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="every served language has every type, with valid placeholders")
    check.add_argument("--file", type=Path, default=DEFAULT_FILE, help="another templates file")
    fill = actions.add_parser("fill", help="machine-translate the English templates into missing languages")
    fill.add_argument("--languages", help="comma-separated languages to fill (default: every served one)")
    fill.add_argument("--write", action="store_true", help="update the file (default: print the JSON)")
    fill.add_argument("--force", action="store_true", help="translate again languages that already exist")
    fill.add_argument("--file", type=Path, default=DEFAULT_FILE, help="another templates file")


def run(args: argparse.Namespace) -> int:
    try:
        data = _read(args.file)
    except (OSError, ValueError) as error:
        print(f"error: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    if args.action == "check":
        return check(data)
    return fill(data, args)


def _read(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("languages"), dict):
        raise ValueError('not a templates file: no "languages" object')
    return data


# --- check -----------------------------------------------------------------------------------


def check(data: Mapping[str, Any]) -> int:
    catalog = TemplateCatalog(data)
    served = served_languages()
    print(f"{'language':<10}{'review':<10}{'direction':<10}types")
    for code in sorted({*served, *catalog.languages}):
        entry = catalog.languages.get(code, {})
        entry = entry if isinstance(entry, dict) else {}
        templates = entry.get("templates", {})
        present = sum(kind.value in templates for kind in NotificationType) if isinstance(templates, dict) else 0
        note = "" if code in served else "  (not served)"
        review, direction = str(entry.get("review", "-")), str(entry.get("direction", "-"))
        print(f"{code:<10}{review:<10}{direction:<10}{present}/{len(NotificationType)}{note}")
    problems = catalog.problems(served)
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print(f"ok: {len(served)} served languages, {len(NotificationType)} types each, version {catalog.version}")
    return 0


# --- fill ------------------------------------------------------------------------------------


def fill(data: dict[str, Any], args: argparse.Namespace) -> int:
    try:
        wanted = _wanted_languages(args.languages)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    fallback = str(data.get("fallback", "en"))
    source = data["languages"].get(fallback)
    broken = [problem for problem in TemplateCatalog(data).problems(()) if problem.startswith(f"{fallback}:")]
    if source is None or broken:
        print(f"error: the fallback language {fallback!r} is not complete and valid: {broken}", file=sys.stderr)
        return 2
    todo = _todo(data["languages"], wanted, fallback, args.force)
    if not todo:
        print("nothing to fill: every language asked for has every type (--force translates again)", file=sys.stderr)
        if not args.write:
            print("{}")
        return 0
    translator = _translator()
    if translator is None:
        return 2
    filled: dict[str, dict[str, Any]] = {}
    failed: dict[str, str] = {}
    for code, kinds in todo.items():
        existing = None if args.force else data["languages"].get(code)
        try:
            filled[code] = _translated_language(translator, source, existing, fallback, code, kinds)
        except (FillFailed, NotTranslated, TemplateError) as error:
            failed[code] = str(error)
            print(f"{code}: failed, not written: {error}", file=sys.stderr)
            continue
        print(f"{code}: {len(kinds)} type(s) machine-translated (review: machine)", file=sys.stderr)
    if args.write:
        if filled:
            _write(args.file, {**data, "languages": _merged(data["languages"], filled)})
            print(f"wrote {len(filled)} language(s) to {args.file}", file=sys.stderr)
    else:
        print(json.dumps(filled, ensure_ascii=False, indent=2))
    return 1 if failed else 0


def _wanted_languages(option: str | None) -> list[str]:
    served = served_languages()
    if not option:
        return sorted(served)
    wanted = [code.strip().lower() for code in option.split(",") if code.strip()]
    unknown = sorted(set(wanted) - served)
    if unknown:
        raise ValueError(f"not served languages: {', '.join(unknown)} (served: {', '.join(sorted(served))})")
    return list(dict.fromkeys(wanted))


def _todo(
    languages: Mapping[str, Any], wanted: list[str], fallback: str, force: bool
) -> dict[str, list[NotificationType]]:
    """The types each language needs: all of them with --force or for a new language."""
    todo: dict[str, list[NotificationType]] = {}
    for code in wanted:
        if code == fallback:
            continue  # the source itself is written by us, never translated
        templates = languages.get(code, {}).get("templates", {})
        kinds = [kind for kind in NotificationType if force or kind.value not in templates]
        if kinds:
            todo[code] = kinds
    return todo


def _translator() -> TextTranslator | None:
    from chalicelib.composition_root import dependencies
    from chalicelib.settings import SettingsError

    try:
        translator = dependencies().text_translator
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return None
    if not translator.providers:
        print("error: no translation provider configured: set TRANSLATORS (and its settings)", file=sys.stderr)
        return None
    return translator


def _translated_language(
    translator: TextTranslator,
    source: Mapping[str, Any],
    existing: Mapping[str, Any] | None,
    fallback: str,
    code: str,
    kinds: list[NotificationType],
) -> dict[str, Any]:
    templates: dict[str, Any] = dict(existing.get("templates", {})) if existing else {}
    for kind in kinds:
        english = source["templates"][kind.value]
        subject = _translate_template(translator, english["subject"], fallback, code, kind)
        templates[kind.value] = {
            "subject": " ".join(subject.splitlines()),
            "body": _translate_lines(translator, english["body"], fallback, code, kind),
        }
        _verify(kind, english, templates[kind.value], code)
    statuses = dict(existing.get("incident_statuses", {})) if existing else {}
    for status in INCIDENT_STATUSES:
        if not statuses.get(status):
            label = source["incident_statuses"][status]
            statuses[status] = translator.translate(label, fallback, code).text.strip()
    return {
        "review": "machine",
        "direction": direction_of(code),
        "incident_statuses": statuses,
        "templates": {kind.value: templates[kind.value] for kind in NotificationType if kind.value in templates},
    }


def _translate_lines(translator: TextTranslator, text: str, source: str, target: str, kind: NotificationType) -> str:
    """Line by line, so the line and paragraph breaks of the template survive any provider."""
    return "\n".join(
        _translate_template(translator, line, source, target, kind) if line.strip() else line
        for line in text.split("\n")
    )


def _translate_template(
    translator: TextTranslator, template: str, source: str, target: str, kind: NotificationType
) -> str:
    """One line of a template in `target`, its placeholders back exactly as they were."""
    tokens: dict[str, str] = {}
    protected: list[str] = []
    for literal, name in parse_template(template, kind):
        if name is None:
            protected.append(literal)
        else:
            token = TOKEN.format(len(tokens))
            tokens[token] = name
            protected.append(token)
    text = "".join(protected)
    if any(text.count(token) != 1 for token in tokens):
        raise FillFailed(f"{kind.value}: the template already holds text like {TOKEN.format(0)}")
    translated = translator.translate(text, source, target, known_ids=tuple(tokens)).text.strip()
    lost = sorted(tokens[token] for token in tokens if translated.count(token) != 1)
    if lost:
        raise FillFailed(f"{kind.value}: the translation lost or repeated {{{'}, {'.join(lost)}}}")
    result = translated.replace("{", "{{").replace("}", "}}")
    for token, name in tokens.items():
        result = result.replace(token, "{" + name + "}")
    return result


def _verify(kind: NotificationType, english: Mapping[str, str], translated: Mapping[str, str], code: str) -> None:
    expected = placeholders(english["subject"], kind) + placeholders(english["body"], kind)
    found = placeholders(translated["subject"], kind) + placeholders(translated["body"], kind)
    if found != expected:
        raise FillFailed(f"{kind.value}: placeholders {dict(found)} in {code}, {dict(expected)} in the source")


def _merged(languages: Mapping[str, Any], filled: Mapping[str, Any]) -> dict[str, Any]:
    """The languages in their order, each filled one replaced in place, new ones at the end."""
    merged = dict(languages)
    merged.update(filled)
    return merged


def _write(path: Path, data: Mapping[str, Any]) -> None:
    """Written whole to a temporary file beside it, then renamed: never half a file."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
