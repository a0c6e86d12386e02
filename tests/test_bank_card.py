"""Bank card numbers (app/checks/bank_card.py): the Luhn check digit, formatting, and
correction only from the OCR engine's own readings."""
from __future__ import annotations

from app.checks import check_value
from app.checks.bank_card import luhn_ok
from app.sandbox.fund_cases import applications

CARD = "6222628837155265086"


def test_luhn_of_the_sample_cards():
    assert all(luhn_ok(a.bank_card) for a in applications(range(1, 60)))
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")


def test_a_card_printed_in_groups_or_full_width_is_ok_as_read():
    for printed in ("6222 6288 3715 5265 086", CARD, "６２２２６２８８３７１５５２６５０８６"):
        r = check_value("bank_card", printed)
        assert (r.status, r.value) == ("ok", CARD), printed


def test_every_single_misread_digit_fails_the_check():
    for i in range(len(CARD)):
        for d in "0123456789":
            if d != CARD[i]:
                wrong = CARD[:i] + d + CARD[i + 1:]
                assert check_value("bank_card", wrong).status == "invalid", wrong


def test_a_letter_for_a_digit_is_corrected_and_said():
    r = check_value("bank_card", CARD[:16] + "O" + CARD[17:])
    assert (r.status, r.value) == ("corrected", CARD)
    assert "Character 17" in r.warnings[0]


def test_correction_takes_the_one_reading_of_the_engine_that_passes():
    wrong = CARD[:-1] + "7"
    alts = [[c] for c in wrong[:-1]] + [["7", "6", "1"]]
    r = check_value("bank_card", wrong, alts)
    assert (r.status, r.value) == ("corrected", CARD)


def test_too_short_and_bad_check_digit_are_invalid_without_repeating_the_number():
    short = check_value("bank_card", "62226288")
    assert short.status == "invalid" and "16 to 19 digits" in short.problems[0]
    bad = check_value("bank_card", CARD[:-1] + "7")
    assert bad.status == "invalid" and "Luhn" in bad.problems[0]
    assert CARD[:10] not in bad.problems[0]
