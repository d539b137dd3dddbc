"""Password hashing and policy (OWASP ASVS 4.0.3 V2.1, V2.4)."""

from __future__ import annotations

import pytest

from cocontrol.security import passwords as pw
from cocontrol.security.errors import PasswordRejected

P = pw.TEST_PARAMS


def test_hash_is_argon2id_salted_and_verifies():
    h1 = pw.hash_password("correct horse battery", P)
    h2 = pw.hash_password("correct horse battery", P)
    assert h1.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert h1 != h2  # a fresh salt each time
    assert pw.verify_password(h1, "correct horse battery", P) == (True, False)
    assert pw.verify_password(h1, "correct horse batterY", P) == (False, False)


def test_unicode_is_normalised_nfkc():
    # full-width "ＡＢＣ" and ASCII "ABC" are the same password after NFKC (ASVS 2.1.4)
    h = pw.hash_password("ＡＢＣ 减污降碳协同增效", P)
    assert pw.verify_password(h, "ABC 减污降碳协同增效", P)[0]


def test_production_parameters_meet_owasp_minimum_and_old_hashes_are_rehashed():
    prod, owasp = pw.PRODUCTION_PARAMS, pw.OWASP_MINIMUM
    # OWASP Password Storage Cheat Sheet: argon2id, m >= 19 MiB, t >= 2, p = 1 (or stronger)
    assert prod.memory_cost >= owasp.memory_cost == 19456
    assert prod.time_cost >= owasp.time_cost == 2
    weak = pw.hash_password("correct horse battery", P)
    ok, rehash = pw.verify_password(weak, "correct horse battery", pw.OWASP_MINIMUM)
    assert ok and rehash


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$v=19$broken"])
def test_missing_or_malformed_hash_never_matches(stored):
    assert pw.verify_password(stored, "anything at all", P) == (False, False)


@pytest.mark.parametrize("password, code", [
    ("short pass", "pw_short"),                     # 10 < 12 characters (ASVS 2.1.1)
    ("x" * 129, "pw_long"),                         # over 128 (2.1.2 allows >= 64)
    ("password1234", "pw_common"),                  # common word padded with digits (2.1.7)
    ("1qaz2wsx3edc", "pw_common"),
    ("QWERTYUIOP123!", "pw_common"),
    ("zhangwei-secret-2026", "pw_user"),
    ("abababababababab", "pw_repetitive"),
])
def test_policy_refuses_with_the_rule_named(password, code):
    codes = [p.code for p in pw.policy_problems(password, user_name="zhangwei")]
    assert code in codes


@pytest.mark.parametrize("password", [
    "correct horse battery staple",  # spaces allowed, no composition rules (2.1.9)
    "绿色低碳发展减污降碳协同",          # 12 Chinese characters
    "Tr0ub4dor&3-extended",
])
def test_policy_accepts_passphrases(password):
    assert pw.policy_problems(password, user_name="zhangwei") == []


def test_check_policy_reports_every_rule_in_both_languages_and_refuses_reuse():
    with pytest.raises(PasswordRejected) as e:
        pw.check_policy("zhangwei", user_name="zhangwei")
    assert {r.code for r in e.value.reasons} == {"pw_short", "pw_user"}
    assert "12" in e.value.message("en") and "用户名" in e.value.message("zh")
    current = pw.hash_password("correct horse battery", P)
    with pytest.raises(PasswordRejected) as e:
        pw.check_policy("correct horse battery", current_hash=current, params=P)
    assert [r.code for r in e.value.reasons] == ["pw_same"]


def test_one_time_passwords_are_random_and_satisfy_the_policy():
    seen = {pw.one_time_password() for _ in range(50)}
    assert len(seen) == 50
    for p in seen:
        assert len(p) == 20 and pw.policy_problems(p) == []
        assert not set(p) & set("Il1O0o")  # unambiguous when read off a console
