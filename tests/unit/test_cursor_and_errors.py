import pytest

from xuefa.core.errors import ALL_ERRORS, BadRequest
from xuefa.store.cursor import decode_cursor, encode_cursor

SECRET = "s" * 32


def test_cursor_round_trips() -> None:
    key = {"pk": "LEARNER#1", "sk": "CREDIT#2017#x"}
    cursor = encode_cursor(key, "ledger:1", SECRET)
    assert cursor and "LEARNER" not in cursor
    assert decode_cursor(cursor, "ledger:1", SECRET) == key


def test_no_more_pages_means_no_cursor() -> None:
    assert encode_cursor(None, "x", SECRET) is None
    assert decode_cursor(None, "x", SECRET) is None


def test_an_edited_or_forged_cursor_is_refused() -> None:
    cursor = encode_cursor({"pk": "LEARNER#1", "sk": "b"}, "s", SECRET)
    assert cursor
    body, mac = cursor.split(".")
    forged = encode_cursor({"pk": "LEARNER#2", "sk": "b"}, "s", "another-secret-of-32-characters!")
    assert forged
    for bad in (body, body + ".", body[:-2] + "xx." + mac, forged, "garbage", "."):
        with pytest.raises(BadRequest):
            decode_cursor(bad, "s", SECRET)


def test_a_cursor_from_another_listing_is_refused() -> None:
    cursor = encode_cursor({"pk": "a", "sk": "b"}, "learner:1", SECRET)
    with pytest.raises(BadRequest):
        decode_cursor(cursor, "learner:2", SECRET)


def test_every_contract_error_code_has_one_type_with_its_status() -> None:
    expected = {
        "BAD_REQUEST": 400, "UNAUTHORIZED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404,
        "OUTSIDE_WINDOW": 409, "ATTEMPT_LIMIT": 409, "ATTEMPT_OPEN": 409, "ATTEMPT_CLOSED": 409,
        "TOO_EARLY": 409, "DUPLICATE": 409, "CONFLICT": 409, "OVERRIDE_LIMIT": 409,
        "YEAR_CLOSED": 409, "PAYLOAD_TOO_LARGE": 413,
        "THROTTLED": 429, "UNAVAILABLE": 503, "INTERNAL": 500,
    }  # fmt: skip
    assert {e.code: e.status for e in ALL_ERRORS} == expected
    body = BadRequest("x", {"name": "missing"}).body()
    assert body == {
        "error": {"code": "BAD_REQUEST", "message": "x", "details": {"name": "missing"}}
    }


@pytest.mark.parametrize(
    "text", ["Z\u00c9iD\u00a6", "\u00ab.\u00d3" * 3, "abc", "a.b", "a." + "0" * 31]
)
def test_any_text_that_is_not_a_cursor_is_a_400_not_a_crash(text: str) -> None:
    with pytest.raises(BadRequest):
        decode_cursor(text, "s", SECRET)
