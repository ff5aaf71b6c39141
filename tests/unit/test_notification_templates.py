"""The localized notification templates and their renderer: every language, and every way a
value could break out of its place (format tricks, header injection, HTML, bidi order)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chalicelib.domain import notification_templates as templates
from chalicelib.domain.catalog import load, served_languages
from chalicelib.domain.notification_templates import (
    FSI,
    MAX_SUBJECT_CHARS,
    PDI,
    TemplateCatalog,
    TemplateError,
    render,
    review_status,
    template_languages,
    template_version,
)
from chalicelib.domain.notifications import TEMPLATE_PARAMS, NotificationType

SAMPLE: dict[str, str] = {
    "ticket_number": "PD-48213",
    "ticket_link": "https://desk.example.com/t/01HZX3",
    "eta_low_hours": "4",
    "eta_high_hours": "24",
    "agent_name": "Ana García",
    "reply_text": "We refunded the second charge.\nIt shows within 5 days.",
    "survey_link": "https://desk.example.com/s/01HZX3",
    "incident_title": "Login failures",
    "incident_status": "monitoring",
    "update_text": "A fix is deployed; we are watching the error rate.",
}
RTL = ("ar", "fa", "he")


def params_for(kind: NotificationType, **changes: str) -> dict[str, str]:
    return {**{name: SAMPLE[name] for name in TEMPLATE_PARAMS[kind]}, **changes}


def data_with(language: str, kind: NotificationType, **template: str) -> dict[str, Any]:
    """The real data with one template of one language replaced."""
    data = copy.deepcopy(load(templates.DATA_FILE))
    data["languages"][language]["templates"][kind.value].update(template)
    return data


@pytest.mark.parametrize("language", sorted(served_languages()))
def test_every_served_language_renders_every_type(language: str):
    for kind in NotificationType:
        # Given the sample values of the type
        # When it is rendered in a served language
        rendered = render(kind, language, params_for(kind))

        # Then the language's own template is used, with every placeholder filled in
        assert rendered.language == language
        assert rendered.subject and rendered.text
        for output in (rendered.subject, rendered.text, rendered.html):
            assert "{" not in output and "}" not in output, (language, kind)
        assert SAMPLE["ticket_number"] in rendered.subject + rendered.text
        assert f'<html lang="{language}" dir="{rendered.direction}">' in rendered.html
        assert '<meta charset="utf-8">' in rendered.html


def test_the_data_covers_every_served_language_without_problems():
    # Given the shipped data; Then every served language has all types with valid placeholders
    assert templates.default_catalog().problems(served_languages()) == []
    assert served_languages() <= template_languages()


def test_english_is_reviewed_and_the_others_say_they_are_machine_written():
    assert review_status("en") == "reviewed"
    assert {review_status(code) for code in served_languages() - {"en"}} == {"machine"}
    assert review_status("pt-BR") == "machine"
    assert template_version() == 1


@pytest.mark.parametrize("language", RTL)
def test_right_to_left_languages_isolate_every_inserted_value(language: str):
    # When a ticket number and a Latin name are inserted into Arabic, Persian or Hebrew text
    rendered = render(NotificationType.REPLY_ADDED, language, params_for(NotificationType.REPLY_ADDED))

    # Then the document is right to left and each value sits in its own isolate
    assert rendered.direction == "rtl"
    assert f'<html lang="{language}" dir="rtl">' in rendered.html
    assert '<body style="direction:rtl;text-align:right">' in rendered.html
    assert "<bdi>Ana García</bdi>" in rendered.html
    assert f"{FSI}Ana García{PDI}" in rendered.text
    assert f"{FSI}{SAMPLE['ticket_number']}{PDI}" in rendered.subject
    # a value of several lines is isolated line by line (an isolate ends at a line break)
    assert f"{FSI}It shows within 5 days.{PDI}" in rendered.text


def test_left_to_right_languages_insert_values_as_they_are():
    rendered = render(NotificationType.REPLY_ADDED, "de", params_for(NotificationType.REPLY_ADDED))
    assert rendered.direction == "ltr"
    assert FSI not in rendered.text and "<bdi>" not in rendered.html
    assert "<body>" in rendered.html


def test_html_escapes_every_value_and_keeps_the_lines_of_a_reply():
    # Given an agent reply and name with markup in them
    params = params_for(
        NotificationType.REPLY_ADDED,
        agent_name='<img src=x onerror="alert(1)">',
        reply_text="Hello <script>alert('x')</script>\nsecond & last line",
    )

    # When rendered
    rendered = render(NotificationType.REPLY_ADDED, "en", params)

    # Then no markup of theirs reaches the HTML, and the reply's line break becomes <br>
    assert "<script>" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>" in rendered.html
    assert "second &amp; last line" in rendered.html
    # the plain text keeps the values as written
    assert "Hello <script>alert('x')</script>\nsecond & last line" in rendered.text


def test_only_http_links_become_anchors():
    # Given a ticket link with a quote in it and a survey "link" that is javascript
    params = params_for(
        NotificationType.CSAT_REQUESTED,
        ticket_link='https://desk.example.com/t/1"onmouseover="x',
        survey_link="javascript:alert(document.cookie)",
    )

    # When rendered
    rendered = render(NotificationType.CSAT_REQUESTED, "en", params)

    # Then the javascript one is plain escaped text, never an href
    assert 'href="javascript' not in rendered.html
    assert "<p>javascript:alert(document.cookie)</p>" in rendered.html
    ok = render(NotificationType.ACKNOWLEDGED, "en", params_for(NotificationType.ACKNOWLEDGED))
    link = SAMPLE["ticket_link"]
    assert f'<a href="{link}">{link}</a>' in ok.html
    quoted = render(NotificationType.ACKNOWLEDGED, "en", {**params_for(NotificationType.ACKNOWLEDGED), **params})
    assert 'href="https://desk.example.com/t/1&quot;onmouseover=&quot;x"' in quoted.html


def test_the_subject_is_one_line_whatever_the_values_hold():
    # Given an incident title trying to add a mail header
    params = params_for(NotificationType.INCIDENT_UPDATE, incident_title="Outage\r\nBcc: victim@example.com\n")

    # When rendered in every language
    for language in sorted(served_languages()):
        subject = render(NotificationType.INCIDENT_UPDATE, language, params).subject

        # Then the subject has no line break of any kind
        assert "\r" not in subject and "\n" not in subject, language
        assert len(subject.splitlines()) == 1


def test_a_long_subject_is_cut_to_200_characters_with_its_isolates_closed():
    params = params_for(NotificationType.INCIDENT_UPDATE, incident_title="x" * 500)
    for language in ("en", "ar"):
        subject = render(NotificationType.INCIDENT_UPDATE, language, params).subject
        assert len(subject) <= MAX_SUBJECT_CHARS
        assert "…" in subject
        assert subject.count(FSI) == subject.count(PDI)


def test_control_and_bidi_override_characters_are_stripped():
    # Given values with a NUL, a bell, an escape sequence and a right-to-left override
    params = params_for(
        NotificationType.REPLY_ADDED,
        agent_name="Ana\x00\x07 \u202eGarcía",
        reply_text="line one\r\nline\x1b[31m two\u2028three",
    )

    # When rendered
    rendered = render(NotificationType.REPLY_ADDED, "en", params)

    # Then they are gone; the reply keeps its line breaks (as \n), the name has none
    assert "Ana García answered" in rendered.text
    assert "line one\nline[31m two\nthree" in rendered.text
    for char in ("\x00", "\x07", "\x1b", "\u202e", "\r", "\u2028"):
        assert char not in rendered.text + rendered.subject + rendered.html


def test_a_name_with_line_breaks_is_flattened_in_the_body_too():
    params = params_for(NotificationType.REPLY_ADDED, agent_name="Ana\nGarcía")
    rendered = render(NotificationType.REPLY_ADDED, "en", params)
    assert "Ana García answered" in rendered.text


def test_an_unknown_language_falls_back_to_english():
    for language in ("xx", "und", "", "kl-GL"):
        rendered = render(NotificationType.WAITING, language, params_for(NotificationType.WAITING))
        assert (rendered.language, rendered.review) == ("en", "reviewed")
        assert rendered.subject == f"We need more information about ticket {SAMPLE['ticket_number']}"


@pytest.mark.parametrize(
    ("asked", "used"), [("pt-BR", "pt"), ("PT_br", "pt"), ("ES", "es"), ("zh-Hant-TW", "zh"), ("iw", "he")]
)
def test_regional_and_old_codes_use_the_language(asked: str, used: str):
    assert render(NotificationType.RESOLVED, asked, params_for(NotificationType.RESOLVED)).language == used


def test_a_language_missing_one_type_falls_back_for_that_type_only(monkeypatch: pytest.MonkeyPatch):
    # Given data where Spanish has no survey template
    data = copy.deepcopy(load(templates.DATA_FILE))
    del data["languages"]["es"]["templates"][NotificationType.CSAT_REQUESTED.value]
    monkeypatch.setattr(templates, "default_catalog", lambda: TemplateCatalog(data))

    # Then the survey goes out in English, everything else in Spanish
    assert render(NotificationType.CSAT_REQUESTED, "es", params_for(NotificationType.CSAT_REQUESTED)).language == "en"
    assert render(NotificationType.RESOLVED, "es", params_for(NotificationType.RESOLVED)).language == "es"


def test_a_missing_value_is_refused():
    params = params_for(NotificationType.ACKNOWLEDGED)
    del params["eta_high_hours"]
    with pytest.raises(TemplateError, match="eta_high_hours") as refused:
        render(NotificationType.ACKNOWLEDGED, "fr", params)
    assert isinstance(refused.value, ValueError)


def test_extra_values_are_ignored():
    params = {**params_for(NotificationType.RESOLVED), "agent_name": "{ticket_link}", "secret": "x"}
    rendered = render(NotificationType.RESOLVED, "en", params)
    assert "secret" not in rendered.text


def test_a_value_is_never_read_as_a_template():
    # Given a reply that looks like a placeholder or a format trick
    params = params_for(NotificationType.REPLY_ADDED, reply_text="{ticket_link} {0.__class__} {{x}}")

    # Then it is inserted as written
    rendered = render(NotificationType.REPLY_ADDED, "en", params)
    assert "{ticket_link} {0.__class__} {{x}}" in rendered.text


def test_the_incident_status_is_a_key_rendered_in_the_language():
    params = params_for(NotificationType.INCIDENT_UPDATE, incident_status="monitoring")
    assert "Статус: Наблюдаем" in render(NotificationType.INCIDENT_UPDATE, "ru", params).text
    assert "Status: Monitoring" in render(NotificationType.INCIDENT_UPDATE, "en", params).text
    with pytest.raises(TemplateError, match="incident_status"):
        render(NotificationType.INCIDENT_UPDATE, "en", {**params, "incident_status": "exploded"})


def test_a_template_naming_an_unknown_placeholder_is_refused(monkeypatch: pytest.MonkeyPatch):
    # Given French data whose resolved template names a value the type does not have
    data = data_with("fr", NotificationType.RESOLVED, body="Bonjour {agent_name}, c'est réglé : {ticket_link}")
    monkeypatch.setattr(templates, "default_catalog", lambda: TemplateCatalog(data))

    # When rendered, Then it is refused rather than sent with a hole or a guess
    with pytest.raises(TemplateError, match="agent_name"):
        render(NotificationType.RESOLVED, "fr", params_for(NotificationType.RESOLVED, agent_name="Ana"))
    # and the check reports it
    assert any(problem.startswith("fr: ticket.resolved") for problem in TemplateCatalog(data).problems({"fr"}))


@pytest.mark.parametrize(
    "trick",
    [
        "{ticket_number.__class__}",
        "{ticket_number.__class__.__init__.__globals__}",
        "{ticket_number[0]}",
        "{ticket_number!r}",
        "{ticket_number:>99999999}",
        "{0}",
        "{}",
        "{ticket_number",
    ],
)
def test_format_tricks_in_a_template_are_refused(trick: str):
    # Given a template that tries more than a plain name
    catalog = TemplateCatalog(data_with("en", NotificationType.WAITING, subject=f"Ticket {trick}"))

    # Then rendering refuses it
    with pytest.raises(TemplateError):
        catalog.render(NotificationType.WAITING, "en", params_for(NotificationType.WAITING))


def test_doubled_braces_in_a_template_are_literal_braces():
    catalog = TemplateCatalog(data_with("en", NotificationType.WAITING, subject="{{draft}} {ticket_number}"))
    rendered = catalog.render(NotificationType.WAITING, "en", params_for(NotificationType.WAITING))
    assert rendered.subject == "{draft} PD-48213"


def test_the_check_reports_a_dropped_placeholder_and_a_wrong_direction():
    # Given German lacking the reply text, and Hebrew marked left to right
    data = data_with("de", NotificationType.REPLY_ADDED, body="Guten Tag,\n\n{agent_name} hat geantwortet.")
    data["languages"]["he"]["direction"] = "ltr"
    del data["languages"]["sw"]

    # When checked
    problems = TemplateCatalog(data).problems(served_languages())

    # Then each is named
    assert any(problem.startswith("de: reply.added: uses") for problem in problems)
    assert "he: direction 'ltr' should be 'rtl'" in problems
    assert "sw: missing" in problems


def test_paragraphs_become_html_paragraphs_and_single_breaks_become_br():
    rendered = render(NotificationType.WAITING, "en", params_for(NotificationType.WAITING))
    assert "<p>Hello,</p>" in rendered.html
    assert "<p>Kind regards,<br>\nThe support team</p>" in rendered.html
    assert f"<title>{rendered.subject}</title>" in rendered.html
    assert rendered.html.startswith("<!doctype html>\n")
    assert "\n\nPlease reply here: https://desk.example.com/t/01HZX3\n\n" in rendered.text


def test_the_check_survives_malformed_data():
    # Given a language that is not an object, and a template that is not one either
    data = copy.deepcopy(load(templates.DATA_FILE))
    data["languages"]["it"] = ["ciao"]
    data["languages"]["nl"]["templates"]["ticket.waiting"] = "Hallo"

    # Then each is reported instead of crashing the check
    problems = TemplateCatalog(data).problems(served_languages())
    assert "it: not a language object with a templates object" in problems
    assert "nl: ticket.waiting: not an object with a subject and a body" in problems
