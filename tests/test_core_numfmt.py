"""Number formats that show something else than the value (saisei.core.numfmt)."""

from __future__ import annotations

import pytest

from saisei.core.numfmt import display_problem, odd_styles


@pytest.mark.parametrize(
    ("code", "value", "problem"),
    [
        (";;;", 5, "何も表示されません"),
        (";;;", "3団体", "何も表示されません"),
        ('"5"', 7, "「5」と表示されます"),
        ('0;0;0;"済"', "3人", "「済」と表示されます"),
        ("#,##0,", 5000, "千で割った値（千単位）で表示されます"),
        ("0.0,,", 5, "百万で割った値で表示されます"),
        ("0%", 3, "百倍の値（パーセント）で表示されます"),
        ("0;-0;;@", 0, "何も表示されません"),
        ('#,##0;-#,##0;"-"', 0, "「-」と表示されます"),
    ],
)
def test_formats_that_show_something_else(code: str, value: object, problem: str) -> None:
    assert display_problem(code, value) == problem


@pytest.mark.parametrize(
    ("code", "value"),
    [("#,##0", 1203), ("General", 3), ("0;-0;;@", 4), ("@", "3団体"), ("[Red]0", 3), ("#,##0_ ", 5), ('0"人"', 5)],
)
def test_formats_that_show_the_value(code: str, value: object) -> None:
    assert display_problem(code, value) is None


def test_odd_styles_are_found_by_their_index_in_cell_xfs() -> None:
    styles = (
        b'<styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode=";;;"/>'
        b'<numFmt numFmtId="165" formatCode="#,##0"/></numFmts>'
        b'<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="165"/><xf numFmtId="164"/><xf numFmtId="9"/></cellXfs>'
        b"</styleSheet>"
    )
    assert odd_styles(styles) == {2: ";;;", 3: "0%"}
    assert odd_styles(b"") == {}


def test_date_formats_are_not_odd() -> None:
    code = 'yyyy"年"m"月"d"日"'.replace('"', "&quot;")
    styles = (
        f'<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="{code}"/></numFmts>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>'
    ).encode()
    assert odd_styles(styles) == {}
