"""Failed sign-ins meet growing waits (a minute, then ten, then an hour), never a lockout
that lasts: successful sign-ins never count, so a shared tablet is never blocked."""

from __future__ import annotations

import time

import limits.storage.memory as memory_storage
import pytest

from tests.conftest import sign_in


class Clock:
    """The rate limiter's clock, moved forward by the test instead of by waiting."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(memory_storage, "time", fake)
    return fake


def _fail(client, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, "carer@willow.example.org", "a wrong guess").status_code == 200


def test_waits_grow_with_repeated_failures_then_end(client, world, clock):
    _fail(client, 5)
    assert sign_in(client, "carer@willow.example.org").status_code == 429
    clock.offset += 61  # after a minute the first wait is over
    _fail(client, 5)  # ten failures in ten minutes
    assert sign_in(client, "carer@willow.example.org").status_code == 429
    clock.offset += 61
    assert sign_in(client, "carer@willow.example.org").status_code == 429  # a longer wait now
    clock.offset += 600
    assert sign_in(client, "carer@willow.example.org").status_code == 302  # never a lockout


def test_the_account_owner_is_not_kept_out_for_long_by_someone_guessing(client, world, clock):
    for wait in (61, 601, 61):
        _fail(client, 5)
        clock.offset += wait
    _fail(client, 5)
    # Twenty failures as fast as the waits allow: now the longest wait, an hour, not for ever.
    assert sign_in(client, "carer@willow.example.org").status_code == 429
    clock.offset += 3601
    assert sign_in(client, "carer@willow.example.org").status_code == 302
