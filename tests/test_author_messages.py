"""Clear messages for plugin authors: a plugin that returns invalid observations is told the
exact field, the value and what was expected, at the cell it named."""

from __future__ import annotations

import io

from saisei.plugin import Plan, Reading, Workbook, hookimpl
from saisei.testing import make_registry, read_bytes


class ReturnsNonsense:
    @hookimpl
    def saisei_body_code(self) -> str:
        return "062031"

    @hookimpl
    def saisei_detect(self, workbook: Workbook) -> bool:
        return workbook.has_sheet("X")

    @hookimpl
    def saisei_read(self, workbook: Workbook, plan: Plan) -> Reading:
        reading = Reading(workbook, plan, entity_code="062031")
        reading.observe(kpi=1, fiscal_year=2024, value=-5, status="確定", sheet="X", cell="B2")
        reading.observe(kpi=7, fiscal_year=2030, value=1, status="final", sheet="X", cell="b3")
        reading.observe(kpi=4, fiscal_year=2024, value=1, status="final", sheet="X", cell="B4")
        return reading


def test_each_invalid_field_is_named_with_its_value_and_what_was_expected() -> None:
    from openpyxl import Workbook as Book

    book = Book()
    book.active.title = "X"
    out = io.BytesIO()
    book.save(out)
    result = read_bytes(out.getvalue(), registry=make_registry(("tsuruoka", ReturnsNonsense())))
    messages = {i.cell: i.message for i in result.issues}
    assert set(messages) == {"B2", "b3", "B4"}
    assert "value = -5（0以上のはず）; status = '確定'（'final', 'provisional' のどれかのはず）" in messages["B2"]
    assert "cell = 'b3'（形式 ^[A-Z]{1,3}[1-9][0-9]*$ のはず）" in messages["b3"]
    assert "fiscal_year = 2030（計画の年度 2024〜2026年度 のはず）" in messages["b3"]
    assert "kpi = 7（計画のKPI 1、2、3、4 のどれかのはず）" in messages["b3"]
    assert "kpi = 4（KPI4 は団体 062031 が報告するKPIではありません）" in messages["B4"]
    assert all(
        m.startswith(f"form.xlsx!X!{c}: プラグイン tsuruoka が不正な観測値を返しました: ") for c, m in messages.items()
    )
