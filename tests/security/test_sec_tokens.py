"""Session ids, bearer tokens, CSRF tokens and login throttling (ASVS V3.2, V4.2.2, V2.2.1)."""

from __future__ import annotations

import datetime as dt

import pytest

from cocontrol.security import csrf, tokens
from cocontrol.security.ratelimit import AddressLimiter, LockoutPolicy, LockState

T0 = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)


def test_session_ids_have_256_bits_and_are_stored_hashed():
    ids = {tokens.new_session_id() for _ in range(100)}
    assert len(ids) == 100
    sid = ids.pop()
    assert len(sid) == 43  # 32 random bytes, URL-safe base64
    assert tokens.digest(sid) != sid and len(tokens.digest(sid)) == 64


def test_bearer_tokens_are_random_stored_hashed_and_junk_is_not_well_formed():
    t = tokens.new_token()
    assert tokens.well_formed(t.plaintext) and t.plaintext.startswith("cct_")
    assert tokens.digest(t.plaintext) == t.hash and t.hash not in t.plaintext
    assert t.hint == t.plaintext[:8] + "..." and len({tokens.new_token().hash for _ in range(50)}) == 50
    for junk in ["", "cct_", "Bearer x", t.plaintext + "x", "abc" + t.plaintext[3:], None, 42]:
        assert not tokens.well_formed(junk)
    assert tokens.bearer("Bearer  " + t.plaintext) == t.plaintext
    assert tokens.bearer("Basic abc") is None and tokens.bearer(None) is None


def test_token_validity_revocation_and_expiry():
    t = tokens.new_token()
    state = tokens.TokenState(hash=t.hash, scopes=("results:read",), expires_at=T0 + dt.timedelta(
        days=30), revoked_at=None)
    assert tokens.token_valid(state, t.plaintext, T0)
    other = "B" if t.plaintext.endswith("A") else "A"  # always a different last character
    assert not tokens.token_valid(state, t.plaintext[:-1] + other, T0)
    revoked = tokens.TokenState(**{**state.__dict__, "revoked_at": T0})
    assert not tokens.token_valid(revoked, t.plaintext, T0)
    assert not tokens.token_valid(state, t.plaintext, T0 + dt.timedelta(days=30))
    orphan = tokens.TokenState(**{**state.__dict__, "owner_active": False})
    assert not tokens.token_valid(orphan, t.plaintext, T0)


def test_token_never_exceeds_its_owner():
    owner = {"projects:read", "results:read"}
    assert tokens.effective_permissions(owner, {"results:read", "users:write"}) == {
        "results:read"}
    assert tokens.effective_permissions(owner, {"*"}) == owner
    assert tokens.effective_permissions({"*"}, {"audit:read"}) == {"audit:read"}


def test_csrf_token_is_bound_to_the_session_and_the_key():
    key = b"k" * 32
    a, b = tokens.new_session_id(), tokens.new_session_id()
    ta = csrf.csrf_token(key, a)
    assert csrf.csrf_ok(key, a, ta)
    assert not csrf.csrf_ok(key, b, ta)  # another session's token is useless
    assert not csrf.csrf_ok(b"j" * 32, a, ta)
    assert not csrf.csrf_ok(key, a, None) and not csrf.csrf_ok(key, a, "")
    assert [m for m in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
            if csrf.needs_check(m)] == ["POST", "PUT", "PATCH", "DELETE"]
    allowed = {"https://cocontrol.example.gov.cn"}
    assert csrf.origin_ok(None, allowed) and csrf.origin_ok("https://cocontrol.example.gov.cn/",
                                                            allowed)
    assert not csrf.origin_ok("https://evil.example", allowed)


def test_lockout_after_five_failures_in_the_window_and_release_after_the_lock():
    policy = LockoutPolicy(max_failures=5, window=dt.timedelta(minutes=15),
                           lock=dt.timedelta(minutes=15))
    s = LockState()
    for i in range(4):
        s = policy.failure(s, T0 + dt.timedelta(minutes=i))
        assert not policy.locked(s, T0 + dt.timedelta(minutes=i))
    s = policy.failure(s, T0 + dt.timedelta(minutes=4))
    assert policy.locked(s, T0 + dt.timedelta(minutes=4))
    assert policy.minutes_left(s, T0 + dt.timedelta(minutes=4)) == 15
    # failures during the lock do not extend it; it ends by itself
    assert policy.failure(s, T0 + dt.timedelta(minutes=10)) == s
    assert not policy.locked(s, T0 + dt.timedelta(minutes=19))
    assert policy.success() == LockState()


def test_failures_spread_beyond_the_window_do_not_lock():
    policy = LockoutPolicy(max_failures=3, window=dt.timedelta(minutes=10))
    s = LockState()
    for i in range(6):  # one failure every 6 minutes: the window restarts
        s = policy.failure(s, T0 + dt.timedelta(minutes=6 * i))
        assert not policy.locked(s, T0 + dt.timedelta(minutes=6 * i))


def test_address_limiter_sliding_window_and_bounded_memory():
    lim = AddressLimiter(limit=3, window=60.0, max_addresses=100)
    assert [lim.hit("10.0.0.1", t) for t in (0, 1, 2)] == [0.0, 0.0, 0.0]
    wait = lim.hit("10.0.0.1", 3)
    assert wait == pytest.approx(57.0)
    assert lim.hit("10.0.0.2", 3) == 0.0  # other addresses are not affected
    assert lim.hit("10.0.0.1", 60.5) == 0.0  # the first attempt left the window
    for i in range(1000):
        lim.hit(f"10.1.{i // 256}.{i % 256}", 100)
    assert len(lim._hits) <= 100
