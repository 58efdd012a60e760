"""SMS templates: every text renders, stays short and GSM-7, and shop overrides are checked."""

from datetime import UTC, datetime, timedelta

import pytest

from app.notify.policy import ShipmentState, decide_on_eta
from app.notify.segments import count_segments
from app.notify.templates import (
    KINDS,
    LANGUAGES,
    TEMPLATE_ROOT,
    localize,
    render,
    sample_context,
    sample_contexts,
    validate_template,
)

REPLY_OPTIONS = {"en": "Reply 1 = neighbours", "nl": "Antwoord 1 = buren", "fr": "Répondez 1 = voisin"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_template_in_every_language(kind, language):
    assert (TEMPLATE_ROOT / language / f"{kind}.txt").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_template_renders_short_and_in_gsm7(kind, language):
    for context in sample_contexts(kind):
        text = render(kind, language, context)
        encoding, segments = count_segments(text)
        assert encoding == "GSM-7", text
        assert 1 <= segments <= 2, text
        assert "  " not in text and "\n\n" not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_shipped_templates_pass_the_override_check(kind, language):
    source = (TEMPLATE_ROOT / language / f"{kind}.txt").read_text(encoding="utf-8")
    assert validate_template(source, kind) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_arriving_soon_offers_reply_options_only_when_two_way(language):
    context = sample_context("arriving_soon")
    assert REPLY_OPTIONS[language] in render("arriving_soon", language, context)
    one_way = render("arriving_soon", language, {**context, "two_way": False})
    assert REPLY_OPTIONS[language] not in one_way
    assert "15" in one_way and "Bloemenhuis Jansen" in one_way


@pytest.mark.parametrize("language", LANGUAGES)
def test_texts_read_well_without_a_first_name(language):
    text = render("arriving_soon", language, {**sample_context("arriving_soon"),
                                              "first_name": ""})
    assert text.startswith({"en": "We're", "nl": "Over", "fr": "Dans"}[language])
    assert " ," not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_delivered_asks_for_a_rating_from_one_to_five(language):
    text = render("delivered", language, sample_context("delivered"))
    assert "1" in text and "5" in text


def test_unknown_language_falls_back_to_english():
    context = sample_context("in_transit")
    assert render("in_transit", "de", context) == render("in_transit", "en", context)
    assert render("in_transit", "nl-BE", context) == render("in_transit", "nl", context)


def test_unknown_kind_is_refused():
    with pytest.raises(KeyError):
        render("birthday", "en", {})


def test_override_renders_with_normalised_whitespace_and_gsm7_punctuation():
    source = "Hoi {{ first_name }} \u2013 er   over {{ minutes }} min!\n\n{{ tracking_url }}"
    text = render("arriving_soon", "nl", sample_context("arriving_soon"), override=source)
    assert text == "Hoi Sanne - er over 15 min!\nhttps://track.bijna.nl/t/Xk4P9qRt2mWzLp7"


def test_localize_turns_decision_times_into_local_clock_times():
    now = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
    state = ShipmentState(
        status="out_for_delivery", notify=True, opted_out=False, window_start=None,
        window_end=None, eta=now + timedelta(minutes=14), lead_minutes=15, sent=frozenset(),
        last_delay_eta=None, texts_today=0, daily_cap=6, enabled_statuses=frozenset(),
        two_way=True,
    )
    [decision] = decide_on_eta(state, now)
    context = localize(decision.context, "Europe/Amsterdam")
    assert context["eta"] == "14:14"
    recipient = {"shop_name": "Bloemenhuis Jansen", "first_name": "Sanne",
                 "tracking_url": "https://track.bijna.nl/t/Xk4P9qRt2mWzLp7"}
    text = render("arriving_soon", "en", {**context, **recipient})
    assert text.startswith("Hi Sanne, we're about 14 minutes away")  # the model's median, said exactly


# --- validating a shop's override -------------------------------------------------

def test_a_good_override_has_no_errors():
    source = "{{ shop_name }}: bijna bij je, {{ minutes }} min!"
    assert validate_template(source, "arriving_soon") == []


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("Hoi {{ first_name }", "Syntax error on line 1"),
        ("{% if two_way %}Antwoord 1", "Syntax error"),
        ("Hoi {{ voornaam }}!", "Unknown variable: 'voornaam' is undefined"),
        ("Over {{ new_eta }}", "Unknown variable"),  # a delay variable in arriving_soon
        ("{{ first_name }}", "The text comes out empty"),  # empty when there is no name
        ("   ", "The template is empty"),
        ("{{ tracking_url }} " * 13, "SMS segments"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "Not allowed"),
        ("{{ minutes / 0 }}", "fails to render"),
    ],
)
def test_validate_template_reports_problems(source, fragment):
    errors = validate_template(source, "arriving_soon")
    assert errors, source
    assert any(fragment in error for error in errors), errors


def test_validate_template_checks_every_branch():
    source = "Hoi!{% if not two_way %} {{ oops }}{% endif %}"
    assert validate_template(source, "arriving_soon")


def test_validate_template_refuses_unknown_kinds():
    assert validate_template("Hoi", "birthday") == ["Unknown message kind 'birthday'."]


def test_too_long_override_is_refused():
    assert validate_template("a" * 1001, "in_transit")
