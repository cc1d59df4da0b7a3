from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import saisei.core
from saisei.core.codes import CodeError, check_digit, is_valid_code, normalize_code

#: The plan's bodies, with their codes as 総務省's 全国地方公共団体コード list gives them.
PLAN_CODES = {
    "060003": "山形県",
    "062031": "鶴岡市",
    "062049": "酒田市",
    "062065": "寒河江市",
    "062120": "尾花沢市",
    "063231": "朝日町",
    "064033": "飯豊町",
}
#: Other codes from the same list: every sum of weights modulo 11 from 0 to 10 is here, so
#: each branch of "the last digit of 11 − remainder" is pinned (静岡県: remainder 0 → 1;
#: 長崎県 and 尾花沢市: remainder 1 → 0).
OTHER_CODES = {
    "010006": "北海道",
    "011002": "札幌市",
    "020001": "青森県",
    "040002": "宮城県",
    "062014": "山形市",
    "062022": "米沢市",
    "062057": "新庄市",
    "064025": "白鷹町",
    "090000": "栃木県",
    "130001": "東京都",
    "131016": "千代田区",
    "141003": "横浜市",
    "220001": "静岡県",
    "270008": "大阪府",
    "420000": "長崎県",
    "470007": "沖縄県",
}
KNOWN = PLAN_CODES | OTHER_CODES


def test_the_plan_file_has_these_codes() -> None:
    """The codes above are the plan's: read from its TOML, not through the code under test."""
    data = tomllib.loads((Path(saisei.core.__file__).parent / "data" / "yamagata.toml").read_text("utf-8"))
    assert {b["code"]: b["name"] for b in data["bodies"]} == PLAN_CODES


def test_the_known_codes_cover_every_remainder() -> None:
    remainders = {sum(int(d) * w for d, w in zip(code, (6, 5, 4, 3, 2), strict=False)) % 11 for code in KNOWN}
    assert remainders == set(range(11))


@pytest.mark.parametrize("code", sorted(KNOWN))
def test_known_codes_have_their_check_digits(code: str) -> None:
    assert check_digit(code[:5]) == code[5]
    assert is_valid_code(code)
    assert normalize_code(code) == code
    assert normalize_code(int(code)) == code  # as Excel keeps it, leading zero lost
    for wrong in "0123456789".replace(code[5], ""):
        assert not is_valid_code(code[:5] + wrong)


def test_the_easy_mistakes() -> None:
    # 06402 is 白鷹町, not 飯豊町; 尾花沢市 is 06212.
    assert normalize_code("064033") == "064033"
    with pytest.raises(CodeError) as info:
        normalize_code("064023")
    assert str(info.value) == '団体コード "064023" の検査数字が誤っています（正しくは 064025）'


def test_a_number_that_lost_its_leading_zero() -> None:
    assert normalize_code(60003) == "060003"
    assert normalize_code(60003.0) == "060003"
    assert normalize_code("60003") == "060003"
    assert normalize_code("０６２０３１") == "062031"
    assert normalize_code(" 062031 ") == "062031"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (None, "団体コードがありません"),
        (True, "団体コードがありません"),
        (False, "団体コードがありません"),
        (60003.5, "団体コード 60003.5 は整数ではありません"),
        (["060003"], "団体コード ['060003'] は6桁の数字ではありません"),
        ("06003", '団体コード "006003" の検査数字が誤っています（正しくは 006009）'),
        ("0600030", '団体コード "0600030" は6桁の数字ではありません'),
        ("6003", '団体コード "6003" は6桁の数字ではありません'),
        ("abcdef", '団体コード "abcdef" は6桁の数字ではありません'),
        ("06-003", '団体コード "06-003" は6桁の数字ではありません'),
        ("", '団体コード "" は6桁の数字ではありません'),
        (
            "\u0660\u0666\u0662\u0660\u0663\u0661",
            '団体コード "\u0660\u0666\u0662\u0660\u0663\u0661" は6桁の数字ではありません',
        ),
        ("060004", '団体コード "060004" の検査数字が誤っています（正しくは 060003）'),
        (6000300, '団体コード "6000300" は6桁の数字ではありません'),
    ],
)
def test_bad_codes_are_refused(bad: object, message: str) -> None:
    with pytest.raises(CodeError) as info:
        normalize_code(bad)
    assert str(info.value) == message


@pytest.mark.parametrize("bad", ["0620", "062031", "06a03", "０６２０３", "", "6203 "])
def test_check_digit_wants_five_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^five digits expected, got "):
        check_digit(bad)


@pytest.mark.parametrize("bad", ["06203", "0620311", "06203a", "０６２０３１", "62031"])
def test_only_six_ascii_digits_are_a_code(bad: str) -> None:
    assert not is_valid_code(bad)


def published_check_digit(five: str) -> str:
    """総務省's definition: weights 6, 5, 4, 3, 2; the last digit of 11 − (sum mod 11)."""
    remainder = (int(five[0]) * 6 + int(five[1]) * 5 + int(five[2]) * 4 + int(five[3]) * 3 + int(five[4]) * 2) % 11
    return str(11 - remainder)[-1]


@given(st.integers(0, 99999))
def test_check_digit_follows_the_published_rule(n: int) -> None:
    five = f"{n:05d}"
    code = five + published_check_digit(five)
    assert check_digit(five) == code[5]
    assert is_valid_code(code)
    assert normalize_code(code) == code
    wrong = five + str((int(code[5]) + 1) % 10)
    assert not is_valid_code(wrong)
