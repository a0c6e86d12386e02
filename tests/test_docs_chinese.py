"""Chinese forms of dates and amounts (app/docs/chinese.py): pure rules, no documents."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.docs.chinese import (amount_digits, amount_upper, date_digits, date_upper, parse_amount,
                              wan_to_yuan)
from app.errors import FormValueError
from app.i18n import using


@pytest.mark.parametrize("amount, upper", [
    ("103453", "壹拾万零叁仟肆佰伍拾叁元整"),          # the 零 cn2an leaves out (DESIGN.md §7)
    ("100003453", "壹亿零叁仟肆佰伍拾叁元整"),         # a whole 万 group of zeros: one 零
    ("10.05", "壹拾元零伍分"),
    ("0.50", "伍角"),
    ("1000000", "壹佰万元整"),
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("1.05", "壹元零伍分"),
    ("1.50", "壹元伍角"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("100000001", "壹亿零壹元整"),
    ("1010000000", "壹拾亿零壹仟万元整"),
    ("1001", "壹仟零壹元整"),
    ("10", "壹拾元整"),
    ("110000", "壹拾壹万元整"),
    ("20000.10", "贰万元零壹角"),
    ("1,000,000.00", "壹佰万元整"),
    ("500元", "伍佰元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
])
def test_amount_in_capitals(amount, upper):
    assert amount_upper(amount) == upper


def test_amounts_are_decimals_and_exact():
    assert amount_upper(Decimal("103453.00")) == "壹拾万零叁仟肆佰伍拾叁元整"
    assert amount_upper(1000000) == "壹佰万元整"
    assert parse_amount("0.1") + parse_amount("0.2") == Decimal("0.3")
    assert amount_digits("1000000") == "1,000,000.00"


@pytest.mark.parametrize("bad, words", [
    ("-1", "negative"),
    (Decimal("-0.01"), "negative"),
    ("0.001", "more than two decimal places"),
    ("1000000000000", "1 万亿 or more"),
    ("abc", "not an amount of money"),
    ("1e5", "not an amount of money"),
    ("", "not an amount of money"),
    (0.1, "binary fraction"),
    (Decimal("NaN"), "not an amount of money"),
])
def test_amounts_refused_with_a_sentence(bad, words):
    with using("en"), pytest.raises(FormValueError) as info:
        amount_upper(bad)
    assert words in info.value.message and info.value.exit_code == 2


def test_refusal_in_chinese():
    with using("zh_CN"), pytest.raises(FormValueError) as info:
        amount_upper("-5")
    assert "负" in info.value.message


@pytest.mark.parametrize("given, upper, digits", [
    ("2026-12-04", "二〇二六年十二月四日", "2026年12月4日"),
    ("2026年12月4日", "二〇二六年十二月四日", "2026年12月4日"),
    ("20201010", "二〇二〇年十月十日", "2020年10月10日"),
    ("2001/1/31", "二〇〇一年一月三十一日", "2001年1月31日"),
    ("1999.11.20", "一九九九年十一月二十日", "1999年11月20日"),
    (date(2046, 12, 31), "二〇四六年十二月三十一日", "2046年12月31日"),
])
def test_dates(given, upper, digits):
    assert date_upper(given) == upper
    assert date_digits(given) == digits


@pytest.mark.parametrize("bad", ["2026-02-30", "明天", ""])
def test_dates_refused(bad):
    with using("en"), pytest.raises(FormValueError) as info:
        date_upper(bad)
    assert info.value.message


def test_wan_yuan():
    assert wan_to_yuan("100") == Decimal("1000000")
    assert wan_to_yuan("12.5万元") == Decimal("125000")
    assert amount_upper(wan_to_yuan("100")) == "壹佰万元整"
    with using("en"), pytest.raises(FormValueError) as info:
        wan_to_yuan("一百")
    assert "万元" in info.value.message
    with pytest.raises(FormValueError):
        wan_to_yuan("100000000")     # 1 万亿 元: too large once in 元
