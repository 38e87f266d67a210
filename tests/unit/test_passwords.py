"""Password rules: long enough, not guessable, no composition rules, one function for all."""

from __future__ import annotations

import pytest

from app.auth import passwords
from app.models import Role, User


@pytest.mark.parametrize("password", ["password1", "qwertyuiop", "iloveyou123", "Password!"])
def test_common_passwords_are_refused(password):
    assert "too easy to guess" in passwords.problem_with(password)


def test_short_passwords_are_refused_and_long_ones_welcome():
    assert passwords.problem_with("x7#kQ2") == "Use at least 8 characters."
    long_passphrase = "kettle " * 9 + "on the windowsill by the garden gate"  # 99 characters
    assert len(long_passphrase) > 64
    assert passwords.problem_with(long_passphrase) is None
    assert passwords.problem_with("a" * 129) == "Use 128 characters or fewer."


def test_no_composition_rules_a_lower_case_passphrase_is_fine():
    assert passwords.problem_with("purple tractor singing quietly") is None


def test_a_password_made_of_your_own_name_is_refused():
    problem = passwords.problem_with("margaretwhitfield", name="Margaret Whitfield")
    assert problem is not None


def test_set_password_checks_then_stores_an_argon2id_hash(app):
    user = User(name="Sam Jones", email="sam@example.org", role=Role.STAFF)
    with pytest.raises(passwords.PasswordError):
        passwords.set_password(user, "samjones1")
    assert user.password_hash is None
    passwords.set_password(user, "purple tractor singing quietly")
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password("purple tractor singing quietly")
