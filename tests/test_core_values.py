from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saisei.core.values import CellError, CellValueError, NoCachedValue, parse_count


@pytest.mark.parametrize(
    ("value", "units", "expected"),
    [
        (12, (), 12),
        (12.0, (), 12),
        (0, (), 0),
        ("12", (), 12),
        ("１２", (), 12),
        ("1,203", (), 1203),
        ("１，２０３", (), 1203),
        ("1,203人", ("人",), 1203),
        ("3団体", ("団体",), 3),
        (" 14 人 ", ("人",), 14),
        ("3.0", (), 3),
        (None, (), None),
        ("", (), None),
        ("   ", (), None),
    ],
)
def test_counts(value: object, units: tuple[str, ...], expected: int | None) -> None:
    assert parse_count(value, units=units) == expected


@pytest.mark.parametrize(
    ("value", "units", "code"),
    [
        (-3, (), "negative-count"),
        ("△3", (), "negative-count"),
        ("▲3", (), "negative-count"),
        ("-3", (), "negative-count"),
        ("－３", (), "negative-count"),
        (2.5, (), "fractional-count"),
        ("2.5", (), "fractional-count"),
        ("調査中", (), "not-a-number"),
        ("3人", (), "unexpected-unit"),
        ("3団体", ("人",), "unexpected-unit"),
        ("1,20", (), "not-a-number"),
        ("12,3456", (), "not-a-number"),
        (True, (), "not-a-number"),
        (dt.date(2024, 1, 1), (), "not-a-number"),
        (float("nan"), (), "not-a-number"),
        (CellError("#DIV/0!"), (), "error-value"),
        (NoCachedValue("SUM(A1:A2)"), (), "formula-without-value"),
    ],
)
def test_not_counts(value: object, units: tuple[str, ...], code: str) -> None:
    with pytest.raises(CellValueError) as info:
        parse_count(value, units=units, what="件数")
    assert info.value.code == code
    assert info.value.message.startswith("件数")


def test_message_says_what_was_found_and_expected() -> None:
    with pytest.raises(CellValueError) as info:
        parse_count("△3", what="件数")
    assert info.value.message == '件数 "△3" は負の値です（0以上の整数を入力してください）'


@given(st.text())
def test_text_without_digits_is_never_a_number(text: str) -> None:
    if any(ch.isdigit() for ch in text) or not text.strip():
        return
    with pytest.raises(CellValueError):
        parse_count(text, units=("人", "団体"))


@given(st.integers(0, 10**12))
def test_every_spelling_of_a_count_reads_the_same(n: int) -> None:
    spellings = [
        n,
        float(n),
        str(n),
        f"{n:,}",
        f"{n:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，")),
    ]
    spellings.append(f"{n}人")
    assert {parse_count(s, units=("人",)) for s in spellings} == {n}
