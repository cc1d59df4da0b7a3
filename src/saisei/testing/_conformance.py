"""The conformance kit: :class:`PluginConformance` and the asserts it fails with."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import ClassVar

from ..core.fiscal import fiscal_year_end
from ..core.plan import Plan
from ..hookspecs import Detection
from ..pipeline import FileResult
from ..plans import load_plan
from ..plugins import Registry
from ..template import Slot, Template
from ._helpers import errors, observations
from ._reading import make_registry, read_bytes, read_path

__all__ = ["Figure", "PluginConformance", "PluginUnderTest", "assert_error_at", "assert_reads", "claims"]


def _template_bytes(template: Template) -> bytes:
    return template.fill({})


#: Observation as the kit compares it: (fiscal year, KPI, value, status).
Figure = tuple[int, int, int, str]


def _figures(result: FileResult) -> dict[str, Figure]:
    """``sheet!cell`` → (fiscal year, KPI, value, status) of each observation (summed when
    one cell gives several, which a plugin should not do)."""
    out: dict[str, Figure] = {}
    for o in observations(result):
        key = f"{o['sheet']}!{o['cell']}"
        if key in out:
            y, k, v, s = out[key]
            out[key] = (y, k, v + o["value"], s if s == o["status"] else "provisional")
        else:
            out[key] = (o["fiscal_year"], o["kpi"], o["value"], o["status"])
    return out


def _differences(got: Mapping[str, Figure], expected: Mapping[str, Figure]) -> list[str]:
    """One line per cell whose reading differs: what was read and what was expected."""
    lines = []
    for cell in sorted(set(got) | set(expected)):
        if cell not in got:
            lines.append(f"  {cell}: 読まれませんでした（期待 {expected[cell]}）")
        elif cell not in expected:
            lines.append(f"  {cell}: 期待していない値 {got[cell]} が読まれました")
        elif got[cell] != expected[cell]:
            lines.append(f"  {cell}: 読んだ値 {got[cell]}、期待 {expected[cell]}")
    return lines


def _issues_text(result: FileResult) -> str:
    return "\n".join(f"  {i.message}" for i in result.issues) or "  （なし）"


def assert_reads(result: FileResult, expected: Mapping[str, Figure], what: str = "") -> None:
    """``result`` has no error and reads exactly ``expected``: ``sheet!cell`` (or a cell of
    the only sheet read) → (fiscal year, KPI, value, status).  The failure names every cell
    that differs, with both figures, and the issues."""
    got = _figures(result)
    sheets = {key.split("!", 1)[0] for key in got}
    full = {
        key if "!" in key else (f"{next(iter(sheets))}!{key}" if len(sheets) == 1 else key): figure
        for key, figure in expected.items()
    }
    problems = [f"  {i.message}" for i in errors(result)]
    lines = _differences(got, full)
    if problems or lines:
        head = f"{result.name}{what}: "
        text = head + ("エラー:\n" + "\n".join(problems) + "\n" if problems else "")
        text += ("読んだ値が違うセル（シート!セル: (年度, KPI, 値, 区分)）:\n" + "\n".join(lines)) if lines else ""
        raise AssertionError(text)


def assert_error_at(result: FileResult, sheet: str, cell: str, code: str | None = None, what: str = "") -> None:
    """``result`` has an error at ``sheet!cell`` (with ``code`` when given) and gives no value."""
    found = [i for i in errors(result) if i.sheet == sheet and i.cell == cell and (code is None or i.code == code)]
    if not found:
        wanted = f"エラー {code}" if code else "エラー"
        raise AssertionError(
            f"{result.name}!{sheet}!{cell}{what}: {wanted} がありません。出た問題:\n{_issues_text(result)}\n"
            f"読んだ値: {_figures(result)}"
        )


class PluginUnderTest:
    """What every kit class is given: the plugin, its entry-point name, the plan."""

    plugin: ClassVar[ModuleType | object]
    name: ClassVar[str]
    #: The plan every test uses: a :class:`~saisei.plugin.Plan`, a plan file's path, or
    #: ``None`` for the plan bundled with saisei (山形県).
    plan: ClassVar[Plan | str | Path | None] = None

    @classmethod
    def _plan(cls) -> Plan:
        given = cls.plan
        if isinstance(given, Plan):
            return given
        return _load_plan(None if given is None else str(given))

    @classmethod
    def _registry(cls) -> Registry:
        return make_registry((cls.name, cls.plugin))


def claims(registry: Registry, name: str, path: Path) -> bool:
    """Whether plugin ``name``'s ``saisei_detect`` says the workbook at ``path`` is its form."""
    from ..workbook import open_workbook

    workbook = open_workbook(path)
    try:
        claimed = registry.call(name, "saisei_detect", workbook=workbook, explain=False)
    finally:
        workbook.close()
    return claimed is True or (isinstance(claimed, Detection) and claimed.claimed)


class PluginConformance(PluginUnderTest):
    """Subclass as ``TestSomething`` with ``plugin`` and ``name`` set; pytest runs the rest.

    What it checks, one line a test:

    * ``test_serves_a_body_of_the_plan_that_names_it`` — the body code is a body of
      ``plan`` and the plan names this plugin as its reader;
    * ``test_claims_its_own_template_under_any_name`` — its template of every plan year,
      under any file name, is its form and reads without error;
    * ``test_leaves_other_forms_alone`` — no other plugin's template, nor an empty
      workbook, is claimed;
    * ``test_every_slot_filled_reads_back_with_the_complete_status`` — a different value in
      every slot reads back from exactly its cell, KPI and year, with the template's status
      (so a status that is always 見込み, or two KPIs swapped in the reading, fails);
    * ``test_values_read_back_exactly`` — any values (hypothesis draws them, blanks
      included) read back exactly; a blank gives nothing, never a zero;
    * ``test_full_width_digits_typed_as_text_read_as_numbers`` — ``１２`` typed as text is 12;
    * ``test_garbage_in_a_value_cell_is_an_error_at_that_cell`` — 調査中, negatives,
      fractions, error values and formulas without a cached value are errors at the cell;
    * ``test_units_the_form_forbids_are_errors_and_those_it_allows_are_read`` — ``3人``:
      an error at the cell unless the unit is in ``units``;
    * ``test_status_words_give_their_status`` — each word of ``status_words`` typed in a
      value's status cell gives that value its status (the others keep theirs or, by the
      form's rule for the year, take it), and any other word is an error at the status
      cell (forms whose slots have a ``status_cell``);
    * ``test_samples_read_to_their_expected_figures`` — each workbook of ``samples`` reads
      to exactly its expected figures, cell by cell (this catches what the template's round
      trip cannot: a mapping the template and the reader share, a row after a blank row).

    Every reading goes through the validation ``saisei consolidate`` applies (schema and
    plan), and failures name the cells and the figures that differ.
    """

    #: The date written into the templates: after every plan year has ended, so that a
    #: form whose status follows its date gives final figures.
    as_of: ClassVar[dt.date | None] = None
    #: Hypothesis examples per round-trip test; each writes and reads one workbook.
    examples: ClassVar[int] = 25
    #: Units the form allows typed after a figure (``("人", "団体")``, or by KPI:
    #: ``{1: ("団体",), 2: ("人",)}``); any other unit (every unit, when empty) must be an
    #: error at the cell.  ``None``: not checked.
    units: ClassVar[tuple[str, ...] | Mapping[int, tuple[str, ...]] | None] = None
    #: The words of the form's status cells and the status each gives
    #: (``{"確定": "final", "速報": "provisional"}``); checked where slots have a status cell.
    status_words: ClassVar[Mapping[str, str]] = {}
    #: The author's sample workbooks and what a correct reading gives, cell by cell:
    #: path → {``"sheet!cell"`` or ``"cell"``: (fiscal year, KPI, value, status)}.
    samples: ClassVar[Mapping[str | Path, Mapping[str, Figure]]] = {}

    # -- fixtures ------------------------------------------------------------------------

    @classmethod
    def _read(cls, data: bytes, name: str = "form.xlsx") -> FileResult:
        return read_bytes(data, name, plan=cls._plan(), registry=cls._registry())

    @classmethod
    def _date(cls, plan: Plan) -> dt.date:
        return cls.as_of or (fiscal_year_end(plan.fiscal_years[-1]) + dt.timedelta(days=150))

    @classmethod
    def _template(cls, fiscal_year: int | None = None) -> Template:
        plan = cls._plan()
        year = fiscal_year or plan.fiscal_years[0]
        registry = cls._registry()
        made = registry.template(cls.name, year, plan, cls._date(plan))
        assert isinstance(made, Template), f"{cls.name}: saisei_template must return a Template, got {made!r}"
        assert made.slots, f"{cls.name}: the template has no value slot"
        return made

    # -- the body served ---------------------------------------------------------------------

    def test_serves_a_body_of_the_plan_that_names_it(self) -> None:
        registry = self._registry()
        assert self.name in registry.plugins, [i.message for i in registry.load_issues]
        code = registry.plugins[self.name].code
        if code is None:
            return  # a reader for any body (the standard form)
        plan = self._plan()
        body = plan.body(code)
        assert body is not None, (
            f"{self.name} の団体コード {code} は計画「{plan.name}」の団体ではありません"
            "（別の計画なら、テストのクラスに plan = 計画ファイルのパス を書いてください）"
        )
        assert body.plugin == self.name, (
            f"計画は {body.name} の様式にプラグイン {body.plugin!r} を指定しています（{self.name!r} ではありません）"
        )

    # -- detection -------------------------------------------------------------------------

    def test_claims_its_own_template_under_any_name(self) -> None:
        plan = self._plan()
        for year in plan.fiscal_years:
            data = _template_bytes(self._template(year))
            for name in ("form.xlsx", "コピー ～ 提出用 (2).xlsx", "x.XLSX"):
                result = self._read(data, name)
                assert result.plugin == self.name, f"{year}年度のひな形（{name}）:\n{_issues_text(result)}"
                assert not errors(result), f"{year}年度のひな形（{name}）:\n{_issues_text(result)}"

    def test_leaves_other_forms_alone(self) -> None:
        registry = self._registry()
        plan = self._plan()
        others: list[tuple[str, bytes]] = []
        for other in registry.names():
            if other == self.name:
                continue
            made = registry.template(other, plan.fiscal_years[0], plan, self._date(plan))
            if made is not None:
                others.append((other, _template_bytes(made)))
        import io

        from openpyxl import Workbook

        empty = io.BytesIO()
        Workbook().save(empty)
        others.append(("empty", empty.getvalue()))
        with tempfile.TemporaryDirectory() as tmp:
            for other, data in others:
                path = Path(tmp) / f"{other}.xlsx"
                path.write_bytes(data)
                assert not claims(registry, self.name, path), (
                    f"{self.name} が {other} の様式を自分の様式だと判定しました"
                )

    # -- round trip ------------------------------------------------------------------------

    def test_every_slot_filled_reads_back_with_the_complete_status(self) -> None:
        plan = self._plan()
        for year in plan.fiscal_years:
            template = self._template(year)
            filled = {slot: 101 + 7 * i for i, slot in enumerate(template.slots)}  # all different
            expected = {
                f"{s.sheet}!{s.cell}": (s.fiscal_year, s.kpi, v, template.complete_status) for s, v in filled.items()
            }
            assert_reads(self._read(template.fill(filled)), expected, f"（{year}年度のひな形、全部の欄に値）")

    def test_values_read_back_exactly(self) -> None:
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        template = self._template()
        slots = template.slots

        @settings(max_examples=self.examples, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.lists(st.one_of(st.none(), st.integers(0, 10**7)), min_size=len(slots), max_size=len(slots)))
        def roundtrip(values: list[int | None]) -> None:
            filled = {slot: v for slot, v in zip(slots, values, strict=True)}
            result = self._read(template.fill(filled))
            got = _figures(result)
            expected = {f"{s.sheet}!{s.cell}": (s.fiscal_year, s.kpi, v) for s, v in filled.items() if v is not None}
            assert_reads(
                result,
                {cell: (*figure, got[cell][3] if cell in got else "?") for cell, figure in expected.items()},
                "（ひな形の一部の欄に値）",
            )

        roundtrip()

    def test_full_width_digits_typed_as_text_read_as_numbers(self) -> None:
        template = self._template()
        slot = template.slots[0]
        result = self._read(template.fill({slot: "１２"}))
        got = _figures(result)
        key = f"{slot.sheet}!{slot.cell}"
        status = got[key][3] if key in got else "?"
        assert_reads(result, {key: (slot.fiscal_year, slot.kpi, 12, status)}, "（全角の「１２」）")

    # -- garbage -----------------------------------------------------------------------------

    GARBAGE: ClassVar[tuple[tuple[object, str], ...]] = (
        ("調査中", "not-a-number"),
        (-3, "negative-count"),
        ("△3", "negative-count"),
        (2.5, "fractional-count"),
        ("#DIV/0!", "error-value"),
        ("=SUM(A1:A2)", "formula-without-value"),
    )

    def test_garbage_in_a_value_cell_is_an_error_at_that_cell(self) -> None:
        template = self._template()
        for slot in _spread(template.slots):
            for value, code in self.GARBAGE:
                others = {s: 1 for s in template.slots if s != slot}
                result = self._read(template.fill({**others, slot: value}))
                assert_error_at(result, slot.sheet, slot.cell, code, f"（値 {value!r}）")
                message = next(i.message for i in errors(result) if i.sheet == slot.sheet and i.cell == slot.cell)
                assert message.startswith(f"form.xlsx!{slot.sheet}!{slot.cell}: "), message

    # -- the form's own rules ----------------------------------------------------------------

    def test_units_the_form_forbids_are_errors_and_those_it_allows_are_read(self) -> None:
        if self.units is None:
            return
        template = self._template()
        plan = self._plan()
        given = self.units
        kpi_units = {k.unit for k in plan.kpis if k.unit}
        every = {u for units in given.values() for u in units} if isinstance(given, Mapping) else set(given)
        candidates = sorted({"人", "団体", "件", "回", *kpi_units} | every)
        for slot in _spread(template.slots):
            allowed = given.get(slot.kpi, ()) if isinstance(given, Mapping) else given
            others = {s: 1 for s in template.slots if s != slot}
            for unit in candidates:
                result = self._read(template.fill({**others, slot: f"3{unit}"}))
                if unit in allowed:
                    got = _figures(result).get(f"{slot.sheet}!{slot.cell}")
                    assert got is not None and got[2] == 3 and not errors(result), (
                        f"{slot.sheet}!{slot.cell} の「3{unit}」は単位つきで読めるはずです（units に {unit!r}）:"
                        f" 読んだ値 {got}\n{_issues_text(result)}"
                    )
                else:
                    assert_error_at(
                        result, slot.sheet, slot.cell, None, f"（単位つきの「3{unit}」: 様式が認めない単位）"
                    )

    def test_status_words_give_their_status(self) -> None:
        template = self._template()
        slots = [s for s in template.slots if s.status_cell]
        if not slots:
            return
        assert self.status_words, "the form has status cells: give its words in status_words ({'確定': 'final', …})"
        for slot in _spread(slots):
            assert slot.status_cell is not None
            for word, status in [*self.status_words.items(), ("調査中", None)]:
                filled = {s: 1 for s in template.slots}
                result = self._read(_fill_with(template, filled, {(slot.sheet, slot.status_cell): word}))
                where = f"（{slot.sheet}!{slot.status_cell} に「{word}」）"
                if status is None:
                    assert_error_at(result, slot.sheet, slot.status_cell, None, where)
                    continue
                # The other values keep their status, or take this one (a year is provisional when
                # any of its rows is); never another.
                got = _figures(result)
                expected = {}
                for s in filled:
                    key = f"{s.sheet}!{s.cell}"
                    other = got[key][3] if key in got and got[key][3] in (status, template.complete_status) else "?"
                    expected[key] = (s.fiscal_year, s.kpi, 1, status if s == slot else other)
                assert_reads(result, expected, where)

    # -- the author's samples ---------------------------------------------------------------

    def test_samples_read_to_their_expected_figures(self) -> None:
        for path, expected in self.samples.items():
            result = read_path(path, plan=self._plan(), registry=self._registry())
            assert result.plugin == self.name, f"{path}: {self.name} の様式と判定されません:\n{_issues_text(result)}"
            assert_reads(result, expected)


@lru_cache(maxsize=8)
def _load_plan(path: str | None) -> Plan:
    return load_plan(path)


def _fill_with(template: Template, values: Mapping[Slot, object], cells: Mapping[tuple[str, str], object]) -> bytes:
    """``template`` filled with ``values`` and other ``cells`` ((sheet, cell) → value) changed."""
    book = template.workbook
    before = {key: book[key[0]][key[1]].value for key in cells}
    for (sheet, cell), value in cells.items():
        book[sheet][cell] = value
    try:
        return template.fill(values)
    finally:
        for (sheet, cell), value in before.items():
            book[sheet][cell] = value


def _spread(slots: Iterable[Slot]) -> list[Slot]:
    """The first, a middle and the last slot: garbage tests need not try every one."""
    items = list(slots)
    picked = {0, len(items) // 2, len(items) - 1}
    return [items[i] for i in sorted(picked)]
