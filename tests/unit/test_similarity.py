"""domain/similarity.py: TF-IDF cosine over words and character n-grams, pure and deterministic."""

from __future__ import annotations

from chalicelib.domain.similarity import features, rank, words

INCIDENT = "LIVE streaming is down in Mexico. Streams freeze and show error LV-503 when starting a live."


def test_words_are_folded_and_stop_words_digits_and_single_letters_dropped():
    assert words("The LIVE stream Está caído, error 503 x") == ["live", "stream", "esta", "caido", "error"]


def test_features_count_words_and_character_ngrams_inside_words():
    counted = features("live live")
    assert counted["w:live"] == 2
    assert counted["c: li"] == 2 and counted["c:live "] == 2
    assert "c:e li" not in counted  # n-grams never span two words


def test_reports_of_the_incident_rank_above_unrelated_tickets():
    # Given two reports of the outage (their pivot translations) and two unrelated tickets
    documents = {
        "payment": "I was charged twice for my subscription and want a refund.",
        "spanish": "My live stream freezes, the live does not start and shows error LV-503.",
        "password": "I forgot my password and the reset email never arrives.",
        "german": "Live streaming is broken: when I start a live it freezes.",
    }

    # When they are ranked against the incident
    ranked = rank(INCIDENT, documents, limit=10)

    # Then both reports come first, each scoring clearly above the unrelated ones
    order = [key for key, _ in ranked]
    assert set(order[:2]) == {"spanish", "german"}
    scores = dict(ranked)
    assert min(scores["spanish"], scores["german"]) > 2 * max(scores["payment"], scores["password"])
    assert all(0.0 <= score <= 1.0 for score in scores.values())


def test_inflections_still_match_through_character_ngrams():
    ranked = dict(rank("streams freezing", {"a": "the stream froze and freezes", "b": "refund my order"}, 2))
    assert ranked["a"] > ranked["b"] == 0.0


def test_the_ranking_is_deterministic_limited_and_keeps_ties_in_order():
    documents = {"first": "nothing alike", "second": "nothing alike either", "third": "LIVE down"}
    ranked = rank("LIVE down", documents, limit=2)
    assert ranked[0][0] == "third" and len(ranked) == 2
    assert rank("LIVE down", documents, limit=2) == ranked
    assert rank("zzz", {"a": "x y", "b": "v w"}, 5) == [("a", 0.0), ("b", 0.0)]


def test_empty_texts_score_zero():
    assert rank("", {"a": ""}, 1) == [("a", 0.0)]
    assert rank("LIVE", {}, 5) == []
