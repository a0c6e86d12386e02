"""Normalising what OCR read before it is checked.

Only for fields with a fixed alphabet (ID numbers, credit codes, phones, dates, postcodes):
free text and choices are never touched here, because NFKC and letter→digit mapping would
change names and addresses.

Three layers, applied in this order:
1. format: full-width ASCII (ＡＢ１２，U+3000) to half-width, whitespace removed. Pure
   formatting: a value that only needed this is still "ok".
2. look-alikes: letters OCR returns where only digits can be (O→0, I→1, Z→2, S→5, B→8 …).
   This changes what was read, so a value that needed it is "corrected", original kept.
3. upper case.

Look-alike tables (decided by what is unambiguous in the position's alphabet):
- DIGIT_LOOKALIKES, where only a digit can stand: O o D Q→0, I i l | !→1, Z z→2, S s→5,
  G b→6, B→8, g q→9. Each letter has one digit it resembles; if the guess is wrong the
  check digit fails and correction (correct.py) tries the confusion table from there.
- CODE_LOOKALIKES, for GB 32100 credit codes: the standard's alphabet leaves out I O S V Z
  precisely because they look like 1 0 5 U/Y 2, so a read I O S Z can only be 1 0 5 2.
  V is NOT mapped: it may be a misread U or Y (both in the alphabet); the check digit
  decides between them in correct.py.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

DIGIT_LOOKALIKES: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0",
    "I": "1", "i": "1", "l": "1", "|": "1", "!": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5",
    "G": "6", "b": "6",
    "B": "8",
    "g": "9", "q": "9",
}

CODE_LOOKALIKES: dict[str, str] = {
    "O": "0", "o": "0",
    "I": "1", "i": "1", "l": "1", "|": "1", "!": "1",
    "S": "5", "s": "5",
    "Z": "2", "z": "2",
}

# Dashes OCR and input methods produce for '-' (hyphen, en/em dash, minus, full-width…).
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
# Zero-width characters copied from web pages count as whitespace here.
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")

PositionMapper = Callable[[int, str], str]


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms (U+FF01–FF5E) and the ideographic space to half-width;
    CJK characters are left alone."""
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e"
        else " " if ch == "\u3000" else ch
        for ch in text
    )


def remove_spaces(text: str) -> str:
    """Drop every whitespace and zero-width character."""
    return _INVISIBLE.sub("", text)


def unify_dashes(text: str) -> str:
    return text.translate(_DASHES)


def letters_to_digits(text: str) -> str:
    """Map digit look-alikes (O→0, l→1, B→8 …); use only where nothing but digits belongs."""
    return "".join(DIGIT_LOOKALIKES.get(ch, ch) for ch in text)


def format_code(text: str) -> str:
    """Formatting only (half-width, no spaces, upper case): what counts as 'as read'."""
    return remove_spaces(to_halfwidth(text)).upper()


def normalize_numeric(text: str) -> str:
    """A digits-only field as read by OCR: half-width, no spaces, look-alikes mapped."""
    return letters_to_digits(remove_spaces(to_halfwidth(text)))


def id_number_char(pos: int, ch: str) -> str:
    """Positions 1-17 of an ID number are digits; the 18th is a digit or X."""
    if pos == 17 and ch in "xX":
        return "X"
    return DIGIT_LOOKALIKES.get(ch, ch).upper()


def credit_code_char(pos: int, ch: str) -> str:
    """Positions 2-8 of a credit code (type and division code) are digits; the rest use the
    GB 32100 alphabet, where only I O S Z have a single look-alike."""
    if 1 <= pos <= 7:
        ch = DIGIT_LOOKALIKES.get(ch, ch)
    return CODE_LOOKALIKES.get(ch, ch).upper()


def normalize_code(
    raw: str,
    mapper: PositionMapper,
    alternatives: Sequence[Sequence[str]] | None = None,
) -> tuple[str, list[list[str]] | None]:
    """Normalise `raw` character by character and carry the OCR engine's per-character
    `alternatives` (indexed by raw position) along to the normalised positions.

    Spaces are removed before positions are counted, so the alternatives of the 5th
    character read stay with it even if a space came before it."""
    kept: list[tuple[int, str]] = []
    for i, ch in enumerate(raw):
        h = to_halfwidth(ch)
        if remove_spaces(h):
            kept.append((i, h))
    value = "".join(mapper(pos, ch) for pos, (_, ch) in enumerate(kept))
    if alternatives is None:
        return value, None
    out: list[list[str]] = []
    for pos, (src, _) in enumerate(kept):
        alts = alternatives[src] if src < len(alternatives) else ()
        mapped: list[str] = []
        for a in alts:
            m = "".join(mapper(pos, c) for c in remove_spaces(to_halfwidth(a)))
            if m and m != value[pos] and m not in mapped:
                mapped.append(m)
        out.append(mapped)
    return value, out


def normalize_id_number(text: str) -> str:
    return normalize_code(text, id_number_char)[0]


def normalize_credit_code(text: str) -> str:
    return normalize_code(text, credit_code_char)[0]


# The 56 ethnic groups as registered (GB 3304); ID cards print them without 族.
ETHNIC_GROUPS = tuple(g + "族" for g in (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺").split())


def halfwidth_alnum(text: str) -> str:
    """Full-width letters and digits (３５１号, ＡＢ) to ASCII; CJK punctuation （，） stays,
    as Chinese text writes it. OCR returns half-width digits whatever the source showed."""
    return "".join(chr(ord(c) - 0xFEE0) if ("０" <= c <= "９" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ")
                   else c for c in text)


def ethnic_group(text: str) -> str:
    """汉 (as printed on an ID card) -> 汉族; anything else unchanged."""
    t = text.strip()
    return t + "族" if t + "族" in ETHNIC_GROUPS else t
