"""answer_times: a resolver's speed is read from lookups answered at the first send."""

from __future__ import annotations

from homecare.models import DnsLookup, answer_times


def _lk(ms: float, attempts: int = 1, ok: bool = True) -> DnsLookup:
    return DnsLookup(
        name="example.com",
        ok=ok,
        addresses=["192.0.2.1"] if ok else [],
        elapsed_ms=ms,
        attempts=attempts,
        timed_out=not ok,
    )


def test_a_lookup_answered_after_a_resend_is_loss_not_a_slow_resolver() -> None:
    assert answer_times([_lk(12.0), _lk(340.0, attempts=2), _lk(14.0)]) == [12.0, 14.0]


def test_when_every_answer_needed_a_resend_they_all_count() -> None:
    """No first-send answer at all: the resolver is slower than the resend interval."""
    assert answer_times([_lk(700.0, attempts=2), _lk(1400.0, attempts=3)]) == [700.0, 1400.0]


def test_a_single_resent_answer_cannot_tell_loss_from_slowness() -> None:
    assert answer_times([_lk(1100.0, attempts=2)]) == []
    assert answer_times([_lk(1100.0, attempts=2), _lk(1000.0, attempts=3, ok=False)]) == []


def test_unanswered_lookups_have_no_time() -> None:
    assert answer_times([_lk(1000.0, attempts=3, ok=False)]) == []
    assert answer_times([]) == []


def test_older_reports_without_attempts_read_as_first_send_answers() -> None:
    old = DnsLookup.model_validate(
        {"name": "example.com", "ok": True, "addresses": ["192.0.2.1"], "elapsed_ms": 20.0}
    )
    assert old.attempts == 1 and old.timed_out is False
    assert answer_times([old]) == [20.0]
