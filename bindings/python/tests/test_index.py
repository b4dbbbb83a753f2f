"""IntervalIndex and ProviderIndex: single checks, batch checks against a brute-force oracle,
copies, pickling and use from several threads."""

from __future__ import annotations

import copy
import pickle
import random
import threading
from array import array
from datetime import timedelta

import pytest
from conftest import span, utc

import slotbook

NINE = utc(2026, 1, 15, 9)


def at(hour: int, minute: int = 0):
    return utc(2026, 1, 15, hour, minute)


def test_a_booking_ending_when_another_starts_is_not_a_conflict():
    idx = slotbook.IntervalIndex()
    idx.insert(1, slotbook.Interval(at(9), at(10)))
    assert idx.is_free(slotbook.Interval(at(10), at(11)))
    assert idx.is_free(slotbook.Interval(at(8), at(9)))
    assert not idx.is_free(slotbook.Interval(at(9, 59), at(11)))


def test_a_booking_that_started_earlier_and_runs_into_the_query_is_found():
    idx = slotbook.IntervalIndex()
    idx.insert(1, slotbook.Interval(at(9), at(10)))
    hit = idx.first_overlap(slotbook.Interval(at(9, 30), at(10, 30)))
    assert hit == slotbook.IndexEntry(slotbook.Interval(at(9), at(10)), 1)


def test_an_overlapping_insert_raises_conflict_naming_both_sessions_and_changes_nothing():
    idx = slotbook.IntervalIndex()
    idx.insert(1, slotbook.Interval(at(9), at(10)))
    with pytest.raises(slotbook.ConflictError, match="session 2 .* overlaps session 1"):
        idx.insert(2, slotbook.Interval(at(9, 30), at(10, 30)))
    assert len(idx) == 1
    assert idx.try_insert(2, slotbook.Interval(at(9, 30), at(10, 30))).id == 1
    assert idx.try_insert(2, slotbook.Interval(at(10), at(11))) is None
    assert len(idx) == 2


def test_bad_input_to_an_index_is_an_invalid_argument():
    idx = slotbook.IntervalIndex()
    with pytest.raises(slotbook.InvalidArgumentError, match="empty or inverted"):
        idx.insert(1, slotbook.Interval(at(10), at(9)))
    with pytest.raises(slotbook.InvalidArgumentError):
        idx.insert(0, slotbook.Interval(at(9), at(10)))
    with pytest.raises(slotbook.InvalidArgumentError):
        slotbook.IntervalIndex(1)
    with pytest.raises(slotbook.InvalidArgumentError, match="not an id"):
        idx.insert(-1, slotbook.Interval(at(9), at(10)))


def test_erase_overlapping_free_gaps_find_and_entries():
    idx = slotbook.IntervalIndex(4)
    idx.insert(1, slotbook.Interval(at(9), at(10)))
    idx.insert(2, slotbook.Interval(at(11), at(12)))
    idx.insert(3, slotbook.Interval(at(12), at(13)))
    morning = slotbook.Interval(at(8), at(14))
    assert [e.id for e in idx.overlapping(morning)] == [1, 2, 3]
    assert idx.free_gaps(morning) == [
        slotbook.Interval(at(8), at(9)),
        slotbook.Interval(at(10), at(11)),
        slotbook.Interval(at(13), at(14)),
    ]
    assert idx.find(2, at(11)).id == 2 and idx.find(2, at(12)) is None
    assert not idx.erase(2, slotbook.Interval(at(11), at(11, 30)))
    assert idx.erase(2, slotbook.Interval(at(11), at(12)))
    assert [e.id for e in idx.entries()] == [1, 3]
    assert idx.invariants_hold() and idx.block_capacity == 4 and idx.block_count >= 1
    assert idx.memory_bytes() > 0 and not idx.empty
    assert repr(idx) == "IntervalIndex(size=2, block_capacity=4)"
    idx.clear()
    assert len(idx) == 0 and idx.empty


def test_an_index_copies_and_pickles_to_an_independent_equal_index():
    idx = slotbook.IntervalIndex(8)
    for k in range(20):
        idx.insert(k + 1, span(NINE + timedelta(hours=2 * k)))
    for other in (copy.copy(idx), copy.deepcopy(idx), pickle.loads(pickle.dumps(idx))):
        assert other.entries() == idx.entries() and other.block_capacity == 8
    clone = copy.copy(idx)
    clone.clear()
    assert len(idx) == 20


def _random_bookings(rng: random.Random, n: int, start: int):
    """Non-overlapping 60-minute bookings separated by 0-120 minute gaps, as epoch seconds."""
    out, t = [], start
    for k in range(n):
        t += rng.randrange(0, 121, 15) * 60
        out.append((k + 1, t, t + 3600))
        t += 3600
    return out


def test_overlaps_many_agrees_with_a_brute_force_scan_for_sequences_and_int64_buffers():
    rng = random.Random(20260115)
    start = int(NINE.timestamp())
    bookings = _random_bookings(rng, 500, start)
    idx = slotbook.IntervalIndex(16)
    idx.insert_many(array("q", [b[0] for b in bookings]), [b[1] for b in bookings], [b[2] for b in bookings])
    assert len(idx) == 500 and idx.invariants_hold()
    end = bookings[-1][2]
    begins = [rng.randrange(start - 3600, end + 3600) for _ in range(2000)]
    ends = [b + rng.choice([1, 60, 1800, 3600, 7200]) for b in begins]
    # Empty and inverted queries overlap nothing.
    begins += [start + 10, start + 100]
    ends += [start + 10, start + 50]
    expected = [any(b < e2 and b2 < e for _, b2, e2 in bookings) and b < e for b, e in zip(begins, ends)]
    assert idx.overlaps_many(begins, ends) == expected
    assert idx.overlaps_many(array("q", begins), array("q", ends)) == expected
    assert idx.overlaps_many(memoryview(array("q", begins)), memoryview(array("q", ends))) == expected
    assert idx.overlaps_many([], []) == []
    # A single check agrees with the batch.
    for b, e, want in list(zip(begins, ends, expected))[:50]:
        q = slotbook.Interval(utc(1970, 1, 1) + timedelta(seconds=b), utc(1970, 1, 1) + timedelta(seconds=e))
        assert (not idx.is_free(q)) == want


def test_batch_arguments_of_different_lengths_or_the_wrong_item_type_are_refused():
    idx = slotbook.IntervalIndex()
    with pytest.raises(slotbook.InvalidArgumentError, match="lengths differ"):
        idx.overlaps_many([1, 2], [3])
    with pytest.raises(TypeError, match="int64"):
        idx.overlaps_many(array("i", [1]), array("i", [2]))
    with pytest.raises(TypeError, match=r"begins\[1\]: expected an int"):
        idx.overlaps_many([1, "2"], [3, 4])


def test_insert_many_is_all_or_nothing():
    idx = slotbook.IntervalIndex()
    idx.insert(99, slotbook.Interval(utc(1970, 1, 1, 1), utc(1970, 1, 1, 2)))
    with pytest.raises(slotbook.ConflictError):
        # The third booking, [3600, 7200), collides with session 99.
        idx.insert_many([1, 2, 3], [0, 1800, 3600], [1800, 3600, 7200])
    assert [e.id for e in idx.entries()] == [99]


def test_a_provider_index_keeps_providers_apart():
    idx = slotbook.ProviderIndex()
    idx.insert(5, 1, slotbook.Interval(at(9), at(10)))
    idx.insert(6, 2, slotbook.Interval(at(9), at(10)))
    q = slotbook.Interval(at(9, 30), at(10, 30))
    assert not idx.is_free(5, q) and idx.is_free(7, q)
    assert idx.first_overlap(6, q).id == 2
    with pytest.raises(slotbook.ConflictError, match="provider 5"):
        idx.insert(5, 3, q)
    assert idx.try_insert(5, 3, q).id == 1
    assert [e.id for e in idx.overlapping(5, slotbook.Interval(at(0), at(23)))] == [1]
    assert idx.free_gaps(7, slotbook.Interval(at(9), at(10))) == [slotbook.Interval(at(9), at(10))]
    assert idx.find(6, 2, at(9)).id == 2
    assert idx.bookings_of(5).entries() == [slotbook.IndexEntry(slotbook.Interval(at(9), at(10)), 1)]
    assert idx.bookings_of(8) is None
    assert len(idx) == 2 and idx.provider_count == 2 and idx.memory_bytes() > 0
    s9, s10, s11 = (int(at(h).timestamp()) for h in (9, 10, 11))
    assert idx.overlaps_many([5, 6, 7, 5], [s9, s10, s9, s10], [s10, s11, s10, s11]) == [True, False, False, False]
    assert idx.erase(5, 1, slotbook.Interval(at(9), at(10))) and idx.provider_count == 1
    with pytest.raises(slotbook.InvalidArgumentError, match="provider id 0"):
        idx.insert(0, 9, q)
    assert copy.copy(idx).bookings_of(6) is not None
    idx.clear()
    assert idx.empty and repr(idx) == "ProviderIndex(size=0, providers=0)"


def test_threads_may_query_one_index_while_another_thread_inserts():
    idx = slotbook.IntervalIndex(8)
    start = int(NINE.timestamp())
    n = 2000
    begins = [start + 7200 * k for k in range(n)]
    ends = [b + 3600 for b in begins]
    errors: list[BaseException] = []

    def writer():
        try:
            for k in range(n):
                idx.insert(k + 1, slotbook.Interval(utc(1970, 1, 1) + timedelta(seconds=begins[k]),
                                                    utc(1970, 1, 1) + timedelta(seconds=ends[k])))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    def reader():
        try:
            for _ in range(20):
                seen = idx.overlaps_many(begins, ends)
                # Inserts go in time order, so what is visible is always a prefix.
                k = seen.count(True)
                assert seen == [True] * k + [False] * (n - k)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(idx) == n and idx.invariants_hold()
