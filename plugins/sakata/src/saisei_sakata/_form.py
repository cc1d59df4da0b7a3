"""The 実績一覧 form as 酒田市 keeps it: sheet names, labels, and the cells as issued.

The reader finds the ledger by its header labels (:data:`FIELDS`), wherever a clerk moved
it; the cells (:data:`HEADER_ROW`, :data:`AS_OF_CELL` …) are the form as issued, which the
template writes and the messages name when something expected is missing.
"""

from __future__ import annotations

from saisei.plugin import Field

__all__ = [
    "AS_OF_CELL",
    "AS_OF_WORDS",
    "CANCELLED",
    "CODE",
    "FIELDS",
    "FIRST_ROW",
    "HEADER",
    "HEADER_ROW",
    "KPI_BY_LABEL",
    "LABEL_BY_KPI",
    "LEDGER",
    "NAME",
    "SUBTOTAL_LABEL",
    "SUMMARY",
    "SUMMARY_FIELDS",
    "TITLE",
    "TITLE_KEY",
    "TOTAL_LABEL",
    "TOTAL_WORDS",
    "UNITS",
]

CODE = "062049"
NAME = "酒田市"

LEDGER = "実績一覧"
SUMMARY = "集計"
TITLE = "地域再生計画関連事業 実績一覧（酒田市）"
AS_OF_CELL = "A2"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
HEADER = ("番号", "実施日", "事業名", "指標区分", "件数", "備考")
TITLE_KEY = "実績一覧"  # a title holding it: 地域再生計画関連事業 実績一覧（酒田市）
#: The words that mark the as-of date above the header: 令和7年8月20日現在, 作成日：…
AS_OF_WORDS = ("現在", "時点", "作成日")

#: The ledger's columns, found by their header labels (in any order, anywhere in the first
#: rows and columns; a unit or note in brackets may follow: 件数（人）).  All six are
#: required: 番号 catches an event pasted twice, 備考 holds 中止.
FIELDS = (
    Field("number", ("番号", "No.", "No", "NO.", "NO")),
    Field("date", ("実施日",)),
    Field("name", ("事業名",)),
    Field("kpi", ("指標区分",)),
    Field("count", ("件数",)),
    Field("note", ("備考",)),
)
#: The 集計 pivot's header: 指標区分, then a column per fiscal year (令和6年度 …).
SUMMARY_FIELDS = (Field("kpi", ("指標区分",)),)
TOTAL_LABEL = "合計"  # the 合計 row: skipped, its cached SUM cross-checked
TOTAL_WORDS = (TOTAL_LABEL, "総合計", "総計", "計")  # what a clerk may write there instead
SUBTOTAL_LABEL = "小計"  # a 小計 row: skipped (a sum of the events above it)
CANCELLED = "中止"

#: 指標区分 → KPI number.  Nothing else is a 指標区分 (the form's own words, not the plan's aliases).
KPI_BY_LABEL: dict[str, int] = {"受入体制": 1, "関係人口": 2, "交流人口": 3}
LABEL_BY_KPI: dict[int, str] = {v: k for k, v in KPI_BY_LABEL.items()}

#: The unit a clerk may type after a 件数, by KPI: KPI① counts bodies (地域・団体等),
#: KPI② and ③ count people.
UNITS: dict[int, str] = {1: "団体", 2: "人", 3: "人"}
