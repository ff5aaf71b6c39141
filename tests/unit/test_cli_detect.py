"""`python -m chalicelib.cli detect`: lines of text in, one JSON object per line out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, stdin: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", *args],
        cwd=ROOT,
        input=stdin.encode("utf-8"),
        capture_output=True,
        timeout=60,
        env={"PATH": "", "LANG": "C"},  # stdin and stdout are UTF-8 whatever the locale says
    )


def test_each_line_gets_one_json_answer_in_order():
    # Given three messages, an empty line and a line with no words, one per line
    stdin = "me cobraron 2 veces, quiero refund\nМой аккаунт заблокировали\n\n12345 !!!\n账号被封了，请帮我解封\n"

    # When piped through the command
    result = run_cli("detect", stdin=stdin)

    # Then it prints one JSON object per input line, in the same order
    assert result.returncode == 0, result.stderr.decode()
    answers = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [answer["language"] for answer in answers] == ["es", "ru", "und", "und", "zh"]
    assert all(set(answer) == {"language", "script", "confidence", "source"} for answer in answers)
    assert answers[0]["source"] == "text" and answers[0]["confidence"] > 0.9
    # and the script each line is written in (ISO 15924), none for a line with no language
    assert [answer["script"] for answer in answers] == ["Latn", "Cyrl", None, None, "Hani"]
    assert answers[2] == {"language": "und", "script": None, "confidence": 0.0, "source": "none"}


def test_locale_and_country_hint_every_line():
    # Given text that could be Spanish or Portuguese, a line without words, and Malay-or-Indonesian
    stdin = "cancelar pedido\r\n!!!\r\nsaya tidak bisa login\r\n"

    # When the requester is given as Brazilian, then as Malaysian
    brazil = run_cli("detect", "--locale", "pt_BR", "--country", "br", stdin=stdin)
    malaysia = run_cli("detect", "--country", "MY", stdin=stdin)

    # Then the hints apply to each line
    assert [json.loads(line)["language"] for line in brazil.stdout.decode().splitlines()] == ["pt", "pt", "id"]
    assert json.loads(brazil.stdout.decode().splitlines()[1])["source"] == "locale"
    assert [json.loads(line)["language"] for line in malaysia.stdout.decode().splitlines()][1:] == ["und", "ms"]


def test_a_missing_model_is_a_clear_error(tmp_path: Path):
    result = run_cli("detect", "--model-dir", str(tmp_path), stdin="hola\n")
    assert result.returncode == 2
    assert b"make model" in result.stderr
    assert result.stdout == b""


def test_an_unknown_command_is_refused():
    result = run_cli("frobnicate", stdin="")
    assert result.returncode == 2
    assert b"invalid choice" in result.stderr


def test_romanized_lines_are_their_language_in_latin_script():
    # Given Hinglish with English words, Arabizi with its digits, and Greeklish, one per line
    stdin = "yaar mera order cancel kyun ho gaya\nana 3ayez a3mel refund\ndeite to mail mou parakalw\n"

    # When piped through the command, text alone, then with the requester's country
    plain = run_cli("detect", stdin=stdin)
    india = run_cli("detect", "--country", "IN", stdin=stdin.splitlines()[0] + "\n")

    # Then each is its own language, written in Latin letters (BCP 47 hi-Latn, ar-Latn, el-Latn)
    answers = [json.loads(line) for line in plain.stdout.decode().splitlines()]
    assert [(answer["language"], answer["script"]) for answer in answers] == [
        ("hi", "Latn"),
        ("ar", "Latn"),
        ("el", "Latn"),
    ]
    assert (json.loads(india.stdout)["language"], json.loads(india.stdout)["script"]) == ("hi", "Latn")
