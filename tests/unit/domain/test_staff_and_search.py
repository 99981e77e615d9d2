"""Staff roles and the keyed digests of the search index: pure rules."""
from __future__ import annotations

import pytest

from onboarding.domain.search import IndexKind, digest, normalise, search_digests
from onboarding.domain.staff import Permission, Role, StaffRefused, check_password, check_username

KEY = b"k" * 32


def test_each_role_may_do_what_the_one_below_may():
    assert [p for p in Permission if Role.REVIEWER.may(p)] == [Permission.VIEW, Permission.DECIDE]
    assert Role.OPS.may(Permission.OPERATE) and not Role.OPS.may(Permission.MANAGE_STAFF)
    assert all(Role.ADMIN.may(p) for p in Permission)


@pytest.mark.parametrize("name", ["", "a", "Rita", "rita smith", "1rita", "r" * 33, "rita;drop"])
def test_usernames_are_plain(name):
    with pytest.raises(StaffRefused):
        check_username(name)


@pytest.mark.parametrize("password", ["short", " leading space here", "has\x00control chars", "x" * 257])
def test_weak_or_odd_passwords_are_refused(password):
    with pytest.raises(StaffRefused):
        check_password(password)


@pytest.mark.parametrize("kind, spellings", [
    (IndexKind.PHONE, ["13800138000", "+86 138 0013 8000", "１３８００１３８０００", "0086-138-0013-8000"]),
    (IndexKind.ID_NUMBER, ["11010519491231002X", "11010519491231002x", "110105 19491231 002X"]),
    (IndexKind.CARD_NUMBER, ["6222021234567890123", "6222 0212 3456 7890 123"]),
    (IndexKind.USCC, ["91440300MA5FXXXX1U".replace("X", "0"), "91440300ma5f00001u"]),
])
def test_every_spelling_of_a_number_has_one_digest(kind, spellings):
    assert len({digest(KEY, kind, s) for s in spellings}) == 1
    assert digest(KEY, kind, spellings[0]) != digest(b"another key" * 3, kind, spellings[0])


def test_digests_differ_by_kind_and_say_nothing_for_what_is_not_a_number():
    assert digest(KEY, IndexKind.PHONE, "13800138000") != digest(KEY, IndexKind.CARD_NUMBER, "13800138000")
    assert normalise(IndexKind.PHONE, "138") is None and digest(KEY, IndexKind.ID_NUMBER, "王昌良") is None
    assert set(search_digests(KEY, "13800138000")) == {IndexKind.PHONE, IndexKind.CARD_NUMBER}
    assert search_digests(KEY, "台山小吃") == {}
