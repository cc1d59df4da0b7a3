from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saisei.core.values import (
    MAX_COUNT,
    CellError,
    CellValueError,
    NoCachedValue,
    display,
    is_blank,
    is_dash,
    normalize_text,
    parse_count,
)


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
        ("1,203.0", (), 1203),
        ("1,203.00人", ("人",), 1203),
        ("0", (), 0),
        (10**12, (), 10**12),
        (float(10**12), (), 10**12),
        ("1,000,000,000,000", (), 10**12),
        ("5件", ("人", "件"), 5),
        ("５ 団体", ("団体",), 5),
        ("12ｹ所", ("ケ所",), 12),
        (None, (), None),
        ("", (), None),
        ("   ", (), None),
    ],
)
def test_counts(value: object, units: tuple[str, ...], expected: int | None) -> None:
    assert parse_count(value, units=units) == expected


def test_a_note_after_a_figure_is_called_a_note() -> None:
    with pytest.raises(CellValueError) as info:
        parse_count("31※速報値", what="実績値")
    assert info.value.message == (
        '実績値 "31※速報値" は数字のあとに「※速報値」が書かれています（数字だけを入力し、注記は備考欄かセルのメモに書いてください）'
    )


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
        ("31※速報値", ("人",), "not-a-number"),  # a note after the figure, not a unit
        ("31（速報値）", (), "not-a-number"),
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


NEGATIVE = "は負の値です（0以上の整数を入力してください）"
FRACTION = "は整数ではありません（0以上の整数を入力してください）"
NOT_A_NUMBER = "は数値ではありません（0以上の整数を入力してください）"
TOO_LARGE = "は大きすぎます（件数・人数として入力を確認してください）"


@pytest.mark.parametrize(
    ("value", "units", "code", "message"),
    [
        ("△3", (), "negative-count", f'件数 "△3" {NEGATIVE}'),
        ("▲1,203", (), "negative-count", f'件数 "▲1,203" {NEGATIVE}'),
        ("-3人", ("人",), "negative-count", f'件数 "-3人" {NEGATIVE}'),
        ("\u22123", (), "negative-count", f'件数 "\u22123" {NEGATIVE}'),  # U+2212 MINUS SIGN
        ("\u20103", (), "negative-count", f'件数 "\u20103" {NEGATIVE}'),  # U+2010 HYPHEN
        ("－３", (), "negative-count", f'件数 "－３" {NEGATIVE}'),  # full-width: NFKC makes it -
        ("△3.0", (), "negative-count", f'件数 "△3.0" {NEGATIVE}'),
        ("△2.5", (), "negative-count", f'件数 "△2.5" {NEGATIVE}'),
        ("-0", (), "negative-count", f'件数 "-0" {NEGATIVE}'),
        (-3, (), "negative-count", f'件数 "-3" {NEGATIVE}'),
        (-3.0, (), "negative-count", f'件数 "-3" {NEGATIVE}'),
        (10**12 + 1, (), "too-large-count", f'件数 "1000000000001" {TOO_LARGE}'),
        (1e13, (), "too-large-count", f'件数 "10000000000000" {TOO_LARGE}'),
        ("1,000,000,000,001", (), "too-large-count", f'件数 "1,000,000,000,001" {TOO_LARGE}'),
        ("10000000000001.0", (), "too-large-count", f'件数 "10000000000001.0" {TOO_LARGE}'),
        (2.5, (), "fractional-count", f'件数 "2.5" {FRACTION}'),
        ("2.5", (), "fractional-count", f'件数 "2.5" {FRACTION}'),
        ("1,203.5", (), "fractional-count", f'件数 "1,203.5" {FRACTION}'),
        ("1203,456", (), "not-a-number", f'件数 "1203,456" {NOT_A_NUMBER}'),
        ("12,3456", (), "not-a-number", f'件数 "12,3456" {NOT_A_NUMBER}'),
        ("1,20", (), "not-a-number", f'件数 "1,20" {NOT_A_NUMBER}'),
        (",120", (), "not-a-number", f'件数 ",120" {NOT_A_NUMBER}'),
        (".5", (), "not-a-number", f'件数 ".5" {NOT_A_NUMBER}'),
        (".0", (), "not-a-number", f'件数 ".0" {NOT_A_NUMBER}'),
        ("3.", (), "unexpected-unit", '件数 "3." の単位「.」はこの欄では使えません（数字だけを入力してください）'),
        ("△", (), "not-a-number", f'件数 "△" {NOT_A_NUMBER}'),
        ("人", ("人",), "not-a-number", f'件数 "人" {NOT_A_NUMBER}'),
        ("3人", (), "unexpected-unit", '件数 "3人" の単位「人」はこの欄では使えません（数字だけを入力してください）'),
        (
            "3団体",
            ("人", "件"),
            "unexpected-unit",
            '件数 "3団体" の単位「団体」はこの欄では使えません（使える単位は人、件です）',
        ),
        (True, (), "not-a-number", '件数 "True" は数値ではありません（0以上の整数を入力してください）'),
        (float("nan"), (), "not-a-number", '件数 "nan" は数値ではありません'),
        (float("inf"), (), "not-a-number", '件数 "inf" は数値ではありません'),
        (float("-inf"), (), "not-a-number", '件数 "-inf" は数値ではありません'),
        (b"12", (), "not-a-number", """件数 "b'12'" は数値ではありません"""),
        (
            dt.date(2024, 1, 1),
            (),
            "not-a-number",
            '件数 "2024-01-01" は日付・時刻です（0以上の整数を入力してください）',
        ),
        (
            dt.datetime(2024, 1, 1),
            (),
            "not-a-number",
            '件数 "2024-01-01" は日付・時刻です（0以上の整数を入力してください）',
        ),
        (
            CellError("#DIV/0!"),
            (),
            "error-value",
            '件数 がエラー値 "#DIV/0!" です（数式を直して0以上の整数にしてください）',
        ),
        (
            NoCachedValue("SUM(A1:A2)"),
            (),
            "formula-without-value",
            '件数の数式 "=SUM(A1:A2)" に計算結果が保存されていません（Excelで開いて保存し直すか、値を入力してください）',
        ),
    ],
)
def test_message_says_what_was_found_and_expected(
    value: object, units: tuple[str, ...], code: str, message: str
) -> None:
    with pytest.raises(CellValueError) as info:
        parse_count(value, units=units, what="件数")
    assert info.value.code == code
    assert info.value.message == message
    assert str(info.value) == message


def test_the_field_name_defaults_to_value() -> None:
    with pytest.raises(CellValueError) as info:
        parse_count("調査中")
    assert info.value.message == f'値 "調査中" {NOT_A_NUMBER}'


def test_the_largest_count() -> None:
    assert MAX_COUNT == 10**12
    assert parse_count(MAX_COUNT) == MAX_COUNT
    with pytest.raises(CellValueError):
        parse_count(MAX_COUNT + 1)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3.0, "3"),
        (2.5, "2.5"),
        (dt.datetime(2024, 1, 1), "2024-01-01"),
        (dt.datetime(2024, 1, 1, 1, 0), "2024-01-01 01:00:00"),
        (dt.datetime(2024, 1, 1, 0, 0, 1), "2024-01-01 00:00:01"),
        ("３人", "３人"),
        (None, "None"),
    ],
)
def test_display(value: object, shown: str) -> None:
    assert display(value) == shown


@pytest.mark.parametrize(
    ("value", "blank"), [(None, True), ("", True), (" \u3000\t", True), ("0", False), (0, False), (0.0, False)]
)
def test_is_blank(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


def test_normalize_text() -> None:
    assert normalize_text("  ＡＢＣ　１２\t３  ") == "ABC 12 3"


@given(st.text())
def test_text_without_digits_is_never_a_number(text: str) -> None:
    if any(ch.isdigit() for ch in text) or not text.strip():
        return
    if is_dash(text):  # a dash alone is no figure, like a blank
        assert parse_count(text, units=("人", "団体")) is None
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


@pytest.mark.parametrize("dash", [*"-‐‑‒–—―−ー─━", "－", "ｰ", " ー ", "\u3000―"])
def test_each_dash_alone_is_no_figure(dash: str) -> None:
    assert is_dash(dash)
    assert parse_count(dash, units=("人",)) is None


@pytest.mark.parametrize("text", ["--", "ーー", "△", "▲", "~", "3", "ー3", " ", "", None, 0, 1.0, ["ー"]])
def test_not_a_dash(text: object) -> None:
    assert not is_dash(text)


@pytest.mark.parametrize("value", ["3 3", "1 203", "３　３", "1, 203", "1. 0", "△ 3 3"])
def test_a_space_inside_a_number_is_an_error_never_a_guess(value: str) -> None:
    with pytest.raises(CellValueError) as info:
        parse_count(value, what="件数")
    assert info.value.code == "not-a-number"
    assert str(info.value) == (
        f'件数 "{value}" は数字の間に空白があります（一つの数なら空白を消して、0以上の整数を入力してください）'
    )


@pytest.mark.parametrize(
    ("value", "units", "expected"), [("3 人", ("人",), 3), (" 12 ", (), 12), ("1,203 団体", ("団体",), 1203)]
)
def test_spaces_around_a_number_are_fine(value: str, units: tuple[str, ...], expected: int) -> None:
    assert parse_count(value, units=units) == expected
