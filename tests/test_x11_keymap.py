"""Pure logic of typing characters the layout lacks on X11 (app/desktop/x11_keymap.py) and
the order in which X11Desktop binds spare keycodes, waits for the target and types.
The real thing, judged by real forms, is tests/test_keys_toolkits.py."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.desktop.x11 import X11Desktop
from app.desktop.x11_keymap import (KeycodePool, Keymap, Stroke, char_keysym, char_keysyms,
                                    rewritable, runs, segments, typing_keycodes)

SYM = {ch: char_keysym(ch) for ch in "张三李四王五赵六"}


def test_two_characters_per_spare_keycode_plain_first():
    pool = KeycodePool([50, 51])
    assert len(pool) == 4
    bindings, wait = pool.plan([SYM["张"], SYM["三"], SYM["李"]])
    assert wait == 0
    # both plain levels before a shifted one: a shifted character costs two more events
    assert [b for b, _sym in bindings] == [Stroke(50), Stroke(51), Stroke(50, True)]
    for stroke, sym in bindings:
        pool.bind(stroke, sym)
    assert pool.lookup(SYM["李"]) == Stroke(50, True)
    assert pool.row(50) == [SYM["张"], SYM["李"]]
    # an empty level repeats the other: Shift (or none) never makes the key type nothing
    assert pool.row(51) == [SYM["三"], SYM["三"]]
    with pytest.raises(ValueError):
        pool.plan([SYM[c] for c in "张三李四王"])  # five characters, four slots


def test_pool_never_rebinds_a_used_slot_without_waiting_or_a_sync():
    now = [0.0]
    pool = KeycodePool([50], reuse_gap_s=0.25, clock=lambda: now[0])
    bindings, _ = pool.plan([1, 2])
    for stroke, sym in bindings:
        pool.bind(stroke, sym)
        pool.used(stroke)
    now[0] = 0.1
    bindings, wait = pool.plan([3])
    assert wait == pytest.approx(0.15)   # both slots were typed with 0.1 s ago, unsettled
    assert pool.unsettled()
    pool.settle()                        # e.g. the target's pong or a read-back
    assert pool.plan([3])[1] == 0 and not pool.unsettled()


def test_pool_never_evicts_a_character_the_same_piece_still_needs():
    now = [10.0]
    pool = KeycodePool([50, 51], clock=lambda: now[0])
    for stroke, sym in zip((Stroke(50), Stroke(51), Stroke(50, True), Stroke(51, True)),
                           (1, 2, 3, 4)):
        pool.bind(stroke, sym)
        pool.used(stroke)
        now[0] += 1                      # 1 (in 50 plain) is the least recently used
    pool.settle()
    bindings, _ = pool.plan([5, 1])
    assert [b for b, _sym in bindings] == [Stroke(51)]   # not 50, where 1 still sits
    pool.bind(Stroke(51), 5)
    assert pool.lookup(1) == Stroke(50) and pool.lookup(5) == Stroke(51)
    assert pool.lookup(2) is None        # evicted, and no longer found
    pool.clear()
    assert pool.bound() == [] and pool.lookup(1) is None


def test_one_mapping_request_per_run_of_neighbouring_keycodes():
    assert runs([62, 50, 51, 52, 60, 63, 51]) == [(50, 3), (60, 1), (62, 2)]
    assert runs([]) == []


def test_a_run_spans_the_keys_between_only_where_each_can_be_rewritten():
    # 53..59 can be given their own rows again; 61 cannot
    bridge = {53, 54, 55, 56, 57, 58, 59}.__contains__
    assert runs([62, 50, 51, 52, 60, 63], bridge) == [(50, 11), (62, 2)]
    assert runs([50, 60], lambda code: False) == [(50, 1), (60, 1)]


A, SHIFT_A = 0x61, 0x41
NO = 0


def test_only_a_key_of_one_group_and_two_levels_is_rewritable():
    assert rewritable([A, SHIFT_A, A, SHIFT_A, NO, NO, NO])          # a A
    assert rewritable([0xFF50, NO, 0xFF50, NO, NO, NO, NO])           # Home
    assert rewritable([NO] * 7)                                       # nothing
    assert not rewritable([A, SHIFT_A, A, SHIFT_A, 0xE6, 0xC6, NO])   # de: a A æ Æ (AltGr)
    assert not rewritable([0xFFBE] * 6 + [0x1008FE01])                # F1, its VT switch level
    assert not rewritable([A, SHIFT_A, 0x6C6, 0x6E6])                 # us+ru: a second group
    assert not rewritable([A, SHIFT_A])             # too narrow to tell: never rewritten


def test_characters_go_to_the_spare_keycodes_one_change_can_span():
    one_level = [0x1008FF12, NO, 0x1008FF12, NO, NO]
    fkey = [0xFFC8] * 4 + [0x1008FE0B]
    rows = {8: [NO] * 5, 9: fkey, 10: [NO] * 5, 11: fkey, **{c: one_level for c in range(12, 30)},
            **{c: [NO] * 5 for c in (12, 15, 20, 29)}}
    spare = [8, 10, 12, 15, 20, 29]
    assert typing_keycodes(spare, rows.__getitem__) == [12, 15, 20, 29]   # 4 of 6
    rows[13] = fkey                                     # 12 alone now; 15..29 is 3 of 6
    assert typing_keycodes(spare, rows.__getitem__) == spare
    assert typing_keycodes([], rows.__getitem__) == []


def test_java_gets_a_character_beyond_the_bmp_as_its_utf16_halves():
    assert char_keysyms("𠀾") == [0x0102003E]
    assert char_keysyms("𠀾", utf16=True) == [0x0100D840, 0x0100DC3E]
    assert char_keysyms("张", utf16=True) == [SYM["张"]]
    assert char_keysyms("a", utf16=True) == [0x61]


def test_pieces_fit_the_spare_slots_and_keep_the_text():
    km = Keymap(10, [[0x61, 0x41], [0, 0], [0, 0]], set())       # 'a' plus two spare codes
    text = "张a三a李张a𠀾aaaa王三"
    pieces = segments(text, km, capacity=4)
    assert "".join(pieces) == text
    assert pieces == ["张a三a李张a𠀾aaaa", "王三"]
    assert all(len(km.missing_chars(p)) <= 4 for p in pieces)
    # for Java 𠀾 takes two slots, so it starts the second piece
    assert segments(text, km, capacity=4, utf16=True) == ["张a三a李张a", "𠀾aaaa王三"]
    assert segments("aaa", km, capacity=4) == ["aaa"] and segments("", km, 4) == []


class _Recorder:
    """Stands in for the X connection and the ping: records the order of what is done."""

    def __init__(self, pong: bool, rows: dict[int, list[int]] | None = None) -> None:
        self.calls: list[tuple] = []
        self.pong = pong
        self.rows = rows or {}

    def grab_server(self) -> None:
        self.calls.append(("grab",))

    def ungrab_server(self) -> None:
        self.calls.append(("ungrab",))

    def get_keyboard_mapping(self, first: int, count: int) -> list[list[int]]:
        return [list(self.rows[c]) for c in range(first, first + count)]

    def change_keyboard_mapping(self, first: int, rows: list[list[int]]) -> None:
        self.calls.append(("map", first, [list(r) for r in rows]))
        self.rows.update({first + i: list(r) for i, r in enumerate(rows)})

    def sync(self) -> None:
        self.calls.append(("sync",))

    def caught_up(self, _target) -> bool:
        self.calls.append(("ping",))
        return self.pong


def _desktop(rec: _Recorder, sleeps: list[float], mapping: list[list[int]] | None = None):
    mapping = mapping or [[0, 0], [0, 0], [0x61, 0x41], [0, 0]]   # spare: 50, 51, 53
    km = Keymap(50, mapping, set())
    rec.rows = {50 + i: list(r) for i, r in enumerate(mapping)}
    stub = SimpleNamespace(keymap=km, pool=KeycodePool(km.spare), d=rec, bind_settle_s=0.05,
                           _caught_up=rec.caught_up)
    stub._remap = lambda codes: X11Desktop._remap(stub, codes)
    return stub, (lambda s: sleeps.append(s))


def _maps(rec: _Recorder) -> list[tuple]:
    return [c for c in rec.calls if c[0] in ("map", "ping")]


def test_binding_is_one_request_per_run_then_a_sync_with_the_target(monkeypatch):
    rec, sleeps = _Recorder(pong=True), []
    stub, sleep = _desktop(rec, sleeps)
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "张三李a", None, False)
    # 50 and 51 in one request (52, a A, is too narrow to be rewritten), all of it under
    # a server grab, the target's pong before any key, no blind pause
    assert rec.calls == [("grab",), ("map", 50, [[SYM["张"], SYM["张"]], [SYM["三"], SYM["三"]]]),
                         ("map", 53, [[SYM["李"], SYM["李"]]]), ("ungrab",), ("sync",), ("ping",)]
    assert sleeps == []
    rec.calls.clear()
    X11Desktop._bind_missing(stub, "三a张", None, False)          # all bound: nothing to do
    assert rec.calls == []


def test_a_used_slot_is_rebound_only_after_the_target_has_read_its_keys(monkeypatch):
    rec, sleeps = _Recorder(pong=True), []
    stub, sleep = _desktop(rec, sleeps)
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "张三李四王五", None, False)      # every slot
    for slot in stub.pool.slots:
        stub.pool.used(slot.stroke)
    rec.calls.clear()
    X11Desktop._bind_missing(stub, "赵", None, False)
    assert [c[0] for c in rec.calls] == ["ping", "grab", "map", "ungrab", "sync", "ping"]
    assert sleeps == []


def test_a_target_that_does_not_answer_pings_gets_the_pauses(monkeypatch):
    rec, sleeps = _Recorder(pong=False), []
    stub, sleep = _desktop(rec, sleeps)
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "张三李四王五", None, False)
    assert sleeps == [0.05]                                  # after the mapping, before keys
    for slot in stub.pool.slots:
        stub.pool.used(slot.stroke)
    X11Desktop._bind_missing(stub, "赵", None, False)
    assert sleeps[1] == pytest.approx(0.25, abs=0.05)        # the reuse gap, then the pause
    assert sleeps[2:] == [0.05]


def test_characters_typed_later_ride_along_with_a_change_made_anyway(monkeypatch):
    rec, sleeps = _Recorder(pong=True), []
    stub, sleep = _desktop(rec, sleeps)
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "a", None, False, "张三")     # nothing missing: no change
    assert rec.calls == []
    X11Desktop._bind_missing(stub, "张", None, False, "a三李四王五赵")
    # one change for 张 and what the next values lack, as far as the six slots go
    assert [c[0] for c in _maps(rec)] == ["map", "map", "ping"]
    bound = [ch for ch in "张三李四王五赵" if stub.pool.lookup(SYM[ch])]
    assert bound == list("张三李四王五")
    rec.calls.clear()
    X11Desktop._bind_missing(stub, "三李四王五", None, False, "赵")  # typed with no change
    assert rec.calls == []


def test_slots_for_later_characters_are_only_ones_free_to_rebind_now():
    now = [1.0]
    pool = KeycodePool([50, 51], clock=lambda: now[0])
    pool.bind(Stroke(50), 1)
    pool.used(Stroke(50))                # its keys may still wait in the target's queue
    pool.bind(Stroke(51), 2)             # settled, but 2 is still to be typed
    got = pool.plan_ahead([3, 4, 5], taken={Stroke(50, True)}, later={2, 3, 4, 5})
    assert got == [(Stroke(51, True), 3)]


def test_a_slot_holding_a_character_still_to_be_typed_is_evicted_last():
    now = [1.0]
    pool = KeycodePool([50], clock=lambda: now[0])
    for stroke, sym in ((Stroke(50), 1), (Stroke(50, True), 2)):
        pool.bind(stroke, sym)
        pool.used(stroke)
        now[0] += 1                      # 1 is the least recently used
    pool.settle()
    assert pool.plan([3])[0] == [(Stroke(50), 3)]
    assert pool.plan([3], later={1})[0] == [(Stroke(50, True), 3)]


def test_one_change_spans_the_keys_between_and_gives_them_their_own_rows(monkeypatch):
    home, letter = [0xFF50, NO, 0xFF50, NO, NO], [A, SHIFT_A, A, SHIFT_A, NO]
    rec, sleeps = _Recorder(pong=True), []
    # spare 50, 53, 55; 51 and 52 keep their rows when rewritten, 54 (a level 3) does not
    stub, sleep = _desktop(rec, sleeps, [[NO] * 5, home, letter, [NO] * 5,
                                         [A, SHIFT_A, A, SHIFT_A, 0xE6], [NO] * 5])
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    before = dict(rec.rows)
    X11Desktop._bind_missing(stub, "张三李四王五", None, False)
    maps = [c for c in rec.calls if c[0] == "map"]
    assert [(c[1], len(c[2])) for c in maps] == [(50, 4), (55, 1)]
    assert maps[0][2][1] == home and maps[0][2][2] == letter         # as they were
    assert rec.rows[54] == before[54]                                 # never written
    stub.pool.clear()
    X11Desktop._remap(stub, [50, 53, 55])                 # given back: as before the fill
    assert {c: r[:4] for c, r in rec.rows.items()} == {c: r[:4] for c, r in before.items()}


def test_the_characters_needed_soonest_fill_the_slots_a_change_leaves(monkeypatch):
    rec, sleeps = _Recorder(pong=True), []
    stub, sleep = _desktop(rec, sleeps)                   # six slots
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "张三李四王五", None, False, "赵")
    for slot in stub.pool.slots:
        stub.pool.used(slot.stroke)
    # 赵 now; then 六 and 七 soonest, 张 (still held) much later: 张 gives way to them
    X11Desktop._bind_missing(stub, "赵", None, False, "六七李四王五张")
    bound = {ch for ch in "张三李四王五赵六七" if stub.pool.lookup(char_keysym(ch))}
    assert bound == set("赵六七李四王")
