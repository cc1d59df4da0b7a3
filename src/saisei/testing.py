"""The conformance kit for plugin authors: what every saisei plugin must do, as tests.

A municipality's plugin gets the whole kit by subclassing :class:`PluginConformance` in
its tests::

    # plugins/mytown/tests/test_conformance.py
    import saisei_mytown
    from saisei.testing import PluginConformance

    class TestConformance(PluginConformance):
        plugin = saisei_mytown      # the module registered in the "saisei" entry points
        name = "mytown"             # the entry-point name

pytest then checks that:

* the body code the plugin serves (``saisei_body_code``) is a body of the plan, and the
  plan names this plugin as that body's reader (the body's name, month, committee and
  publication are the plan's alone);
* the plugin claims its own template, whatever the file is called, and no other plugin's
  template, the standard form, or an empty workbook;
* any values typed into the template's slots (hypothesis draws them, blanks included) read
  back exactly, from exactly those cells, with the template's status when all are filled;
* garbage in a value cell — text such as 調査中, a negative or fractional count, an Excel
  error value, a formula without a cached value — is an error at that cell, and the
  workbook then gives no value.

The helpers :func:`read_path` and :func:`read_bytes` run a file through the same code as
``saisei consolidate`` for a plugin's own tests.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from .core.fiscal import fiscal_year_end
from .core.issues import Issue
from .core.plan import Plan
from .hookspecs import Detection
from .pipeline import FileResult, read_file
from .plans import load_plan
from .plugins import Registry, get_registry
from .template import Slot, Template

__all__ = [
    "PluginConformance",
    "errors",
    "make_registry",
    "observations",
    "read_bytes",
    "read_path",
    "with_cached_results",
]


def make_registry(*extra: tuple[str, object], entrypoints: bool = True) -> Registry:
    """The built-in readers, the installed plugins, and ``extra`` (name, plugin) pairs."""
    registry = get_registry(entrypoints=entrypoints, disabled=[name for name, _ in extra])
    for name, plugin in extra:
        registry.register(name, plugin)
    return registry


def read_path(path: str | Path, *, plan: Plan | None = None, registry: Registry | None = None) -> FileResult:
    """Read one file as ``saisei consolidate`` would: detection, reading, issues."""
    return read_file(Path(path), plan or load_plan(), registry or make_registry())


def read_bytes(
    data: bytes, name: str = "form.xlsx", *, plan: Plan | None = None, registry: Registry | None = None
) -> FileResult:
    """Like :func:`read_path`, for a workbook held in memory (written to a temporary file)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return read_path(path, plan=plan, registry=registry)


def observations(result: FileResult) -> list[dict[str, Any]]:
    """A file's observations as dicts, in a stable order."""
    if result.frame is None:
        return []
    return sorted(result.frame.iter_rows(named=True), key=lambda r: (r["sheet"], r["cell"], r["fiscal_year"], r["kpi"]))


def with_cached_results(data: bytes, results: Mapping[str, object], *, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """``data`` with cached results written into formula cells, as Excel does on save.

    openpyxl writes formulas without a result (a file never opened in Excel); a form's
    cross-checks (合計, 累計, 集計) compare cached results, so their tests need them.

    :param data: an xlsx written by openpyxl
    :param results: A1 reference → the result to cache (each must be a formula cell)
    :param part: the worksheet's part (openpyxl names them sheet1.xml, sheet2.xml … in order)
    """
    import io
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == part:
                xml = body.decode()
                for ref, value in results.items():
                    xml, n = re.subn(
                        rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>\s*)(?:<v\s*/>|<v></v>)', rf"\g<1><v>{value}</v>", xml
                    )
                    if n != 1:
                        raise ValueError(f"{part}: no formula cell {ref} without a result")
                body = xml.encode()
            target.writestr(info, body)
    return out.getvalue()


def errors(result: FileResult) -> list[Issue]:
    return [i for i in result.issues if i.is_error]


def _template_bytes(template: Template) -> bytes:
    return template.fill({})


class PluginConformance:
    """Subclass as ``TestSomething`` with ``plugin`` and ``name`` set; pytest runs the rest."""

    plugin: ClassVar[ModuleType | object]
    name: ClassVar[str]
    #: The date written into the templates: after every plan year has ended, so that a
    #: form whose status follows its date gives final figures.
    as_of: ClassVar[dt.date | None] = None
    #: Hypothesis examples per round-trip test; each writes and reads one workbook.
    examples: ClassVar[int] = 25

    # -- fixtures ------------------------------------------------------------------------

    @classmethod
    def _plan(cls) -> Plan:
        return load_plan()

    @classmethod
    def _registry(cls) -> Registry:
        return make_registry((cls.name, cls.plugin))

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
        return made

    # -- the body served ---------------------------------------------------------------------

    def test_serves_a_body_of_the_plan_that_names_it(self) -> None:
        registry = self._registry()
        assert self.name in registry.plugins, registry.load_issues
        code = registry.plugins[self.name].code
        if code is None:
            return  # a reader for any body (the standard form)
        plan = self._plan()
        body = plan.body(code)
        assert body is not None, f"{code} is not a body of the plan"
        assert body.plugin == self.name, f"the plan names plugin {body.plugin!r} for {body.name}, not {self.name!r}"

    # -- detection -------------------------------------------------------------------------

    def test_claims_its_own_template_under_any_name(self) -> None:
        plan = self._plan()
        for year in plan.fiscal_years:
            data = _template_bytes(self._template(year))
            for name in ("form.xlsx", "コピー ～ 提出用 (2).xlsx", "x.XLSX"):
                result = read_bytes(data, name, registry=self._registry())
                assert result.plugin == self.name, [i.message for i in result.issues]
                assert not errors(result), [i.message for i in errors(result)]

    def test_leaves_other_forms_alone(self) -> None:
        registry = self._registry()
        plan = self._plan()
        from .workbook import open_workbook

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
                workbook = open_workbook(path)
                claimed = registry.call(self.name, "saisei_detect", workbook=workbook, explain=False)
                assert claimed is not True and not (isinstance(claimed, Detection) and claimed.claimed), (
                    f"{self.name} claims {other}'s form"
                )

    # -- round trip ------------------------------------------------------------------------

    def test_values_read_back_exactly(self) -> None:
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        template = self._template()
        slots = template.slots
        assert slots, "a template needs at least one value slot"
        registry = self._registry()

        @settings(max_examples=self.examples, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.lists(st.one_of(st.none(), st.integers(0, 10**7)), min_size=len(slots), max_size=len(slots)))
        def roundtrip(values: list[int | None]) -> None:
            filled = {slot: v for slot, v in zip(slots, values, strict=True)}
            result = read_bytes(template.fill(filled), registry=registry)
            assert not errors(result), [i.message for i in errors(result)]
            got = {(o["sheet"], o["cell"]): o for o in observations(result)}
            expected = {(s.sheet, s.cell): (s, v) for s, v in filled.items() if v is not None}
            assert set(got) == set(expected)
            for key, (slot, value) in expected.items():
                o = got[key]
                assert (o["kpi"], o["fiscal_year"], o["value"]) == (slot.kpi, slot.fiscal_year, value), o
            if all(v is not None for v in values):
                assert {o["status"] for o in got.values()} == {template.complete_status}

        roundtrip()

    def test_full_width_digits_typed_as_text_read_as_numbers(self) -> None:
        template = self._template()
        slot = template.slots[0]
        result = read_bytes(template.fill({slot: "１２"}), registry=self._registry())
        assert not errors(result), [i.message for i in errors(result)]
        assert [o["value"] for o in observations(result)] == [12]

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
        registry = self._registry()
        for slot in _spread(template.slots):
            for value, code in self.GARBAGE:
                others = {s: 1 for s in template.slots if s != slot}
                result = read_bytes(template.fill({**others, slot: value}), registry=registry)
                found = [(i.code, i.sheet, i.cell) for i in errors(result)]
                assert (code, slot.sheet, slot.cell) in found, (value, found)
                message = next(i.message for i in errors(result) if i.cell == slot.cell)
                assert message.startswith(f"form.xlsx!{slot.sheet}!{slot.cell}: "), message


def _spread(slots: Iterable[Slot]) -> list[Slot]:
    """The first, a middle and the last slot: garbage tests need not try every one."""
    items = list(slots)
    picked = {0, len(items) // 2, len(items) - 1}
    return [items[i] for i in sorted(picked)]
