"""The opener's shortcuts give what the plain reading gives.

A workbook is read with the size its file had when asked (not a buffer of the largest
size allowed); a file that changed size between the two is read whole all the same,
up to the limit.  The number formats of a styles part, and the sheets' parts named in
workbook.xml, are worked out once per content, and give what working them out again gives.
"""

from __future__ import annotations

import os
from pathlib import Path

import hostile_kit as kit
import pytest
from hypothesis import given
from hypothesis import strategies as st

from saisei.core.numfmt import odd_styles
from saisei.workbook import Limits, WorkbookError, _book, _zipguard, open_workbook

ONE = kit.raw_standard(lambda d: d.number("E2", 4))


def _said_size(monkeypatch: pytest.MonkeyPatch, path: Path, size: int) -> None:
    """``path.stat()`` says ``size`` (as if the file changed after it was asked)."""
    real = Path.stat

    def stat(self: Path, *args: object, **kwargs: object) -> os.stat_result:
        got = real(self, *args, **kwargs)  # type: ignore[arg-type]
        if self == path:
            fields = list(got)
            fields[6] = size  # st_size
            return os.stat_result(fields)
        return got

    monkeypatch.setattr(Path, "stat", stat)


@pytest.mark.parametrize("said", [0, 1, len(ONE) // 2, len(ONE) - 1, len(ONE), len(ONE) + 10])
def test_a_file_whose_size_changed_after_it_was_asked_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: int
) -> None:
    path = kit.write(tmp_path, "form.xlsx", ONE)
    expected = open_workbook(path)
    _said_size(monkeypatch, path, said)
    workbook = open_workbook(path)
    assert workbook.sha256 == expected.sha256
    assert workbook.sheet("KPI実績").rows == expected.sheet("KPI実績").rows


@pytest.mark.parametrize("said", [0, 1, len(ONE) - 2])
def test_a_file_that_grew_past_the_limit_after_it_was_asked_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: int
) -> None:
    path = kit.write(tmp_path, "form.xlsx", ONE)
    _said_size(monkeypatch, path, said)
    with pytest.raises(WorkbookError) as info:
        open_workbook(path, Limits(max_file_bytes=len(ONE) - 1))
    assert info.value.code == "workbook-too-large"


CODES = (";;;", '"5"', "#,##0,", "0%", "General", "#,##0", "0.0", '0"人"', "&quot;5&quot;", "[Red]0")
FORMATS = st.lists(st.tuples(st.integers(160, 170), st.sampled_from(CODES)), max_size=4)
XFS = st.lists(st.one_of(st.none(), st.integers(0, 12), st.integers(160, 170)), max_size=6)


def _styles(formats: list[tuple[int, str]], xfs: list[int | None]) -> bytes:
    fmts = "".join(f'<numFmt numFmtId="{n}" formatCode="{c}"/>' for n, c in formats)
    cells = "".join("<xf/>" if n is None else f'<xf numFmtId="{n}" applyNumberFormat="1"/>' for n in xfs)
    return f'<styleSheet><numFmts>{fmts}</numFmts><cellXfs count="{len(xfs)}">{cells}</cellXfs></styleSheet>'.encode()


@given(FORMATS, XFS)
def test_the_number_formats_of_a_styles_part_are_worked_out_once_the_same(
    formats: list[tuple[int, str]], xfs: list[int | None]
) -> None:
    xml = _styles(formats, xfs)
    expected = odd_styles(xml)
    assert dict(_book._odd_styles(xml)) == expected
    assert dict(_book._odd_styles(bytes(xml))) == expected  # the same content, another object: kept


def test_the_number_formats_kept_for_one_workbook_cannot_be_changed_for_the_next() -> None:
    shared = _book._odd_styles(_styles([(164, ";;;")], [None, 164]))
    assert dict(shared) == {1: ";;;"}
    with pytest.raises(TypeError):
        shared[0] = "0%"  # type: ignore[index]


TARGETS = st.sampled_from(("worksheets/sheet1.xml", "/xl/worksheets/sheet2.xml", "xl/worksheets/s3.xml", None))


def _book_parts(sheets: list[tuple[str, str | None]]) -> tuple[bytes, bytes]:
    book = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, (n, _) in enumerate(sheets, 1))
    rels = "".join(f'<Relationship Id="rId{i}" Target="{t}"/>' for i, (_, t) in enumerate(sheets, 1) if t is not None)
    return (
        f'<workbook xmlns:r="r"><sheets>{book}</sheets></workbook>'.encode(),
        f"<Relationships>{rels}</Relationships>".encode(),
    )


@given(st.lists(st.tuples(st.sampled_from(("KPI実績", "Sheet1", "集計", "a&amp;b")), TARGETS), max_size=5))
def test_the_sheets_parts_are_mapped_once_the_same(sheets: list[tuple[str, str | None]]) -> None:
    book, rels = _book_parts(sheets)
    expected = _zipguard._sheet_parts(book, rels, Limits().max_sheets)
    assert _zipguard.sheet_parts(book, rels, Limits()) == expected
    assert _zipguard.sheet_parts(bytes(book), bytes(rels), Limits()) == expected  # kept: the same answer


def test_a_mapping_kept_is_not_given_for_other_limits_nor_changed_by_its_caller() -> None:
    book, rels = _book_parts([("A", "worksheets/a.xml"), ("B", "worksheets/b.xml")])
    first = _zipguard.sheet_parts(book, rels, Limits())
    first.clear()
    assert len(_zipguard.sheet_parts(book, rels, Limits())) == 2
    for _ in range(2):  # a refusal is said every time, never kept as an answer
        with pytest.raises(WorkbookError) as info:
            _zipguard.sheet_parts(book, rels, Limits(max_sheets=1))
        assert info.value.code == "workbook-too-large"
