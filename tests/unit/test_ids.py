"""Ticket ids and requester access tokens."""

from __future__ import annotations

import base64

import pytest

from chalicelib.domain.ids import (
    hash_token,
    idempotency_record_key,
    is_ticket_id,
    new_access_token,
    new_ticket_id,
    seal_token,
    token_matches,
    unseal_token,
)

CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_a_ticket_id_is_26_crockford_base32_characters():
    # When ids are made
    ids = [new_ticket_id() for _ in range(200)]

    # Then each is 26 characters from Crockford's alphabet (no I, L, O, U)
    for ticket_id in ids:
        assert len(ticket_id) == 26
        assert set(ticket_id) <= CROCKFORD
        assert is_ticket_id(ticket_id)


def test_ticket_ids_sort_by_creation_time():
    # Given ids made one millisecond (and then years) apart, in shuffled order of creation
    moments = [1_700_000_000_000 + step for step in range(0, 2000, 7)] + [4_000_000_000_000]
    ids = [new_ticket_id(moment) for moment in moments]

    # Then sorting the ids sorts them by time
    assert sorted(ids) == ids


def test_ticket_ids_made_in_the_same_millisecond_are_still_unique():
    # Given many ids for one instant
    ids = {new_ticket_id(1_700_000_000_000) for _ in range(5000)}

    # Then none repeats
    assert len(ids) == 5000


def test_ticket_ids_are_unique_over_many():
    assert len({new_ticket_id() for _ in range(20_000)}) == 20_000


@pytest.mark.parametrize(
    "candidate",
    ["", "01HZZ", "01HZZZZZZZZZZZZZZZZZZZZZZZZ", "01HZZZZZZZZZZZZZZZZZZZZZZI", "01hzzzzzzzzzzzzzzzzzzzzzzz", "../" * 9],
)
def test_something_that_is_not_a_ticket_id_is_recognised(candidate: str):
    assert not is_ticket_id(candidate)


def test_an_access_token_carries_at_least_128_bits_and_is_url_safe():
    # When tokens are made
    tokens = [new_access_token() for _ in range(200)]

    # Then each decodes from URL-safe base64 to at least 16 random bytes, and none repeats
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(set(tokens)) == len(tokens)


def test_a_token_matches_its_own_hash_and_no_other():
    # Given a token and the hash the table keeps
    token = new_access_token()
    stored = hash_token(token)

    # Then the token matches, another token or a near miss does not
    assert token_matches(token, stored)
    assert not token_matches(new_access_token(), stored)
    assert not token_matches(token[:-1], stored)
    assert not token_matches("", stored)
    # And the hash does not reveal the token
    assert token not in stored


def test_a_sealed_token_opens_with_the_same_idempotency_key():
    # Given a token sealed with the client's Idempotency-Key
    token = new_access_token()
    sealed = seal_token(token, "client-key-0001")

    # Then the sealed form is not the token, and the same key opens it
    assert token not in sealed
    assert unseal_token(sealed, "client-key-0001") == token


def test_a_wrong_idempotency_key_does_not_give_the_token_back():
    # Given a token sealed with one key
    token = new_access_token()
    sealed = seal_token(token, "client-key-0001")

    # When somebody tries another key
    try:
        opened = unseal_token(sealed, "client-key-0002")
    except UnicodeDecodeError:
        opened = None

    # Then they do not get the token
    assert opened != token


def test_the_idempotency_record_key_is_a_stable_hash_that_hides_the_key():
    # Given a client's key
    first = idempotency_record_key("client-key-0001")

    # Then the same key always gives the same record key, another key another one
    assert first == idempotency_record_key("client-key-0001")
    assert first != idempotency_record_key("client-key-0002")
    assert "client-key-0001" not in first
    assert len(first) == 64
