from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saisei.core.codes import CodeError, check_digit, is_valid_code, normalize_code

PLAN_CODES = {
    "060003": "山形県",
    "062031": "鶴岡市",
    "062049": "酒田市",
    "062065": "寒河江市",
    "062120": "尾花沢市",
    "063231": "朝日町",
    "064033": "飯豊町",
}


@pytest.mark.parametrize("code", sorted(PLAN_CODES))
def test_the_plan_codes_have_right_check_digits(code: str) -> None:
    assert check_digit(code[:5]) == code[5]
    assert is_valid_code(code)


def test_the_easy_mistakes() -> None:
    # 06402 is 白鷹町, not 飯豊町; 尾花沢市 is 06212.
    assert normalize_code("064033") == "064033"
    assert check_digit("06402") != "3"
    with pytest.raises(CodeError, match="検査数字"):
        normalize_code("064023")


def test_a_number_that_lost_its_leading_zero() -> None:
    assert normalize_code(60003) == "060003"
    assert normalize_code(60003.0) == "060003"
    assert normalize_code("60003") == "060003"
    assert normalize_code("０６２０３１") == "062031"


@pytest.mark.parametrize("bad", ["06003", "0600030", "6003", "abcdef", "", None, True, 60003.5, "060004"])
def test_bad_codes_are_refused(bad: object) -> None:
    with pytest.raises(CodeError):
        normalize_code(bad)


@given(st.integers(0, 99999))
def test_check_digit_makes_a_valid_code(n: int) -> None:
    five = f"{n:05d}"
    code = five + check_digit(five)
    assert is_valid_code(code)
    assert normalize_code(code) == code
    wrong = five + str((int(code[5]) + 1) % 10)
    assert not is_valid_code(wrong)
