"""`python -m chalicelib.cli templates`: check the shipped templates, and fill a missing language
through the desk's provider chain (LibreTranslate's protocol, a local fake server)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.cli.__main__ import main
from chalicelib.composition_root import override_dependencies, reset_dependencies
from chalicelib.domain.catalog import DATA_DIR
from chalicelib.domain.notification_templates import DATA_FILE, TemplateCatalog
from chalicelib.domain.notifications import NotificationType
from chalicelib.domain.translation import NoCache
from tests.fakes.libretranslate import FakeLibreTranslate, libretranslate_server

ROOT = Path(__file__).resolve().parents[2]
REAL_FILE = DATA_DIR / DATA_FILE


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        text=True,
        encoding="utf-8",
        env={"PATH": "", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"},
    )


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def copy_without(tmp_path: Path, *languages: str) -> Path:
    """A copy of the shipped data file without the given languages."""
    data = read(REAL_FILE)
    for language in languages:
        del data["languages"][language]
    path = tmp_path / DATA_FILE
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def libre_server() -> Iterator[FakeLibreTranslate]:
    with libretranslate_server() as fake:
        yield fake


@pytest.fixture
def libre(libre_server: FakeLibreTranslate, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLibreTranslate]:
    """The desk configured with TRANSLATORS=libre against the fake server (no translation cache)."""
    libre_server.reset()
    monkeypatch.setenv("TRANSLATORS", "libre")
    monkeypatch.setenv("LIBRETRANSLATE_URL", libre_server.url)
    monkeypatch.setenv("TRANSLATE_TIMEOUT_SECONDS", "2")
    reset_dependencies()
    override_dependencies(translation_cache=NoCache())
    yield libre_server
    reset_dependencies()


def test_check_passes_on_the_shipped_templates():
    # When the operator checks the data file the desk ships
    result = run_cli("templates", "check")

    # Then every served language is listed with its review status and direction, and all is well
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:-1]}
    assert rows["en"] == ["reviewed", "ltr", "6/6"]
    assert rows["he"] == ["machine", "rtl", "6/6"]
    assert len(rows) == 30
    assert result.stdout.splitlines()[-1].startswith("ok: 30 served languages")


def test_check_names_what_is_missing_or_invalid(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    # Given a copy without Swahili, and a Greek template with a format trick
    path = copy_without(tmp_path, "sw")
    data = read(path)
    data["languages"]["el"]["templates"]["ticket.waiting"]["subject"] = "{ticket_number.__class__}"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    # When checked
    code = main(["templates", "check", "--file", str(path)])

    # Then it fails, naming both
    out = capsys.readouterr().out
    assert code == 1
    assert "problem: sw: missing" in out
    assert "problem: el: ticket.waiting: placeholder {ticket_number.__class__}" in out


def test_fill_translates_a_missing_language_and_prints_it(
    tmp_path: Path, libre: FakeLibreTranslate, capsys: pytest.CaptureFixture[str]
):
    # Given a data file without Swahili
    path = copy_without(tmp_path, "sw")
    before = path.read_bytes()

    # When filled without --write
    code = main(["templates", "fill", "--file", str(path)])

    # Then Swahili (only) was translated from English, placeholders intact, marked machine
    captured = capsys.readouterr()
    assert code == 0, captured.err
    filled = json.loads(captured.out)
    assert list(filled) == ["sw"]
    swahili = filled["sw"]
    assert (swahili["review"], swahili["direction"]) == ("machine", "ltr")
    assert swahili["incident_statuses"]["monitoring"] == "[sw] Monitoring"
    acknowledged = swahili["templates"]["ticket.acknowledged"]
    assert acknowledged["subject"] == "[sw] We received your request ({ticket_number})"
    expected = "[sw] An agent will answer you. We expect to reply within {eta_low_hours}–{eta_high_hours} hours."
    assert expected in acknowledged["body"].split("\n\n")
    assert acknowledged["body"].endswith("[sw] Kind regards,\n[sw] The support team")
    assert {received.target for received in libre.translations} == {"sw"}
    # the provider never saw a placeholder's name, only the masking layer's [[n]]
    assert not any("{" in received.q or "ZQX" in received.q for received in libre.translations)
    assert "sw: 6 type(s) machine-translated" in captured.err
    # and the file is untouched
    assert path.read_bytes() == before


def test_fill_with_write_updates_the_file_in_place(
    tmp_path: Path, libre: FakeLibreTranslate, capsys: pytest.CaptureFixture[str]
):
    # Given a data file without Persian
    path = copy_without(tmp_path, "fa")
    before = read(path)

    # When filled with --write
    code = main(["templates", "fill", "--languages", "fa,de", "--write", "--file", str(path)])

    # Then Persian is added at the end, right to left, and the file passes the check
    capsys.readouterr()
    assert code == 0
    after = read(path)
    assert list(after["languages"]) == [*before["languages"], "fa"]
    assert after["languages"]["fa"]["direction"] == "rtl"
    assert after["languages"]["fa"]["review"] == "machine"
    # German existed: kept as it was, never sent to the provider
    assert after["languages"]["de"] == before["languages"]["de"]
    assert {received.target for received in libre.translations} == {"fa"}
    assert TemplateCatalog(after).problems(set(after["languages"])) == []
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert main(["templates", "check", "--file", str(path)]) == 0


def test_fill_completes_a_language_missing_some_types(
    tmp_path: Path, libre: FakeLibreTranslate, capsys: pytest.CaptureFixture[str]
):
    # Given Italian without its survey template
    path = copy_without(tmp_path)
    data = read(path)
    del data["languages"]["it"]["templates"]["csat.requested"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    # When filled
    code = main(["templates", "fill", "--languages", "it", "--file", str(path)])

    # Then only the missing type is translated; the rest of Italian stays, now marked machine
    it = json.loads(capsys.readouterr().out)["it"]
    assert code == 0
    assert list(it["templates"]) == [kind.value for kind in NotificationType]
    assert it["templates"]["csat.requested"]["subject"] == "[it] How did we do? (ticket {ticket_number})"
    assert it["templates"]["ticket.resolved"] == data["languages"]["it"]["templates"]["ticket.resolved"]
    assert it["incident_statuses"] == data["languages"]["it"]["incident_statuses"]
    assert len({received.q for received in libre.translations}) == len(libre.translations) > 0


def test_existing_languages_are_only_translated_again_with_force(
    tmp_path: Path, libre: FakeLibreTranslate, capsys: pytest.CaptureFixture[str]
):
    path = copy_without(tmp_path)

    # Without --force nothing is sent
    assert main(["templates", "fill", "--languages", "de", "--file", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {}
    assert libre.translations == []

    # With --force German is translated afresh (never English, the source)
    assert main(["templates", "fill", "--languages", "de,en", "--force", "--file", str(path)]) == 0
    filled = json.loads(capsys.readouterr().out)
    assert list(filled) == ["de"]
    resolved = filled["de"]["templates"]["ticket.resolved"]
    assert resolved["subject"] == "[de] Your ticket {ticket_number} has been resolved"


def test_a_translation_that_repeats_a_placeholder_is_reported_and_not_written(
    tmp_path: Path, libre: FakeLibreTranslate, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    # Given a provider that doubles every protected span it is sent
    monkeypatch.setattr(libre, "translate", lambda text, target: f"[{target}] {text} {text}")
    path = copy_without(tmp_path, "sw", "th")

    # When filled with --write
    code = main(["templates", "fill", "--languages", "sw", "--write", "--file", str(path)])

    # Then Swahili fails, named, and the file does not get a broken language
    captured = capsys.readouterr()
    assert code == 1
    assert "sw: failed, not written" in captured.err
    assert "lost or repeated" in captured.err
    assert "sw" not in read(path)["languages"]


def test_a_translation_that_loses_a_placeholder_is_reported(
    tmp_path: Path, libre: FakeLibreTranslate, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    # Given a provider that drops the masking layer's placeholders
    monkeypatch.setattr(libre, "translate", lambda text, target: f"[{target}] " + text.replace("[[1]]", ""))
    path = copy_without(tmp_path, "sw")

    code = main(["templates", "fill", "--languages", "sw", "--file", str(path)])

    captured = capsys.readouterr()
    assert code == 1
    assert "sw: failed, not written" in captured.err
    assert json.loads(captured.out) == {}


def test_fill_refuses_unserved_languages_and_a_desk_without_providers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = copy_without(tmp_path, "sw")
    assert main(["templates", "fill", "--languages", "sw,klingon", "--file", str(path)]) == 2
    assert "not served languages: klingon" in capsys.readouterr().err

    # TRANSLATORS=none (the test environment's default): nothing could translate
    reset_dependencies()
    try:
        assert main(["templates", "fill", "--file", str(path)]) == 2
    finally:
        reset_dependencies()
    assert "no translation provider configured" in capsys.readouterr().err


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["templates", "check", "--file", str(broken)]) == 2
    assert main(["templates", "fill", "--file", str(tmp_path / "absent.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
