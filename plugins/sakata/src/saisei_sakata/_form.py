"""The 実績一覧 form as 酒田市 keeps it: sheet names, cells, labels."""

from __future__ import annotations

__all__ = [
    "AS_OF_CELL",
    "CANCELLED",
    "CODE",
    "FIRST_ROW",
    "HEADER",
    "HEADER_ROW",
    "KPI_BY_LABEL",
    "LABEL_BY_KPI",
    "LEDGER",
    "NAME",
    "SUBTOTAL_LABEL",
    "SUMMARY",
    "TITLE",
    "TOTAL_LABEL",
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
TOTAL_LABEL = "合計"  # the 合計 row: skipped, its cached SUM cross-checked
SUBTOTAL_LABEL = "小計"  # a 小計 row: skipped (a sum of the events above it)
CANCELLED = "中止"

#: 指標区分 → KPI number.  Nothing else is a 指標区分 (the form's own words, not the plan's aliases).
KPI_BY_LABEL: dict[str, int] = {"受入体制": 1, "関係人口": 2, "交流人口": 3}
LABEL_BY_KPI: dict[int, str] = {v: k for k, v in KPI_BY_LABEL.items()}

#: The unit a clerk may type after a 件数, by KPI: KPI① counts bodies (地域・団体等),
#: KPI② and ③ count people.
UNITS: dict[int, str] = {1: "団体", 2: "人", 3: "人"}
