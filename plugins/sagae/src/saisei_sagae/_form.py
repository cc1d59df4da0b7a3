"""寒河江市's form as issued: its names, labels and the cells of the template.

Reading finds the cells by their labels (``__init__``); the cells here are where the
template (``_template``) puts them, as the city issues the form.
"""

from __future__ import annotations

import re

from saisei.plugin import ERAS, Field

CODE = "062065"
NAME = "寒河江市"

EXAMPLE = "記入例"
LIST_SHEET = "リスト"
FORM_NAME = "地域再生計画KPI実績報告"
#: The title as compared (:func:`label_key`: NFKC, no white space, one kind of bracket):
#: ``令和6年度地域再生計画KPI実績報告(寒河江市)``; also ``…実績報告書【寒河江市】`` and the
#: body's name before the form's (``令和6年度 寒河江市 地域再生計画KPI実績報告``).
TITLE = re.compile(
    rf"(?P<example>\({EXAMPLE}\))?(?P<year>.+?年度)(?P<before>.*?){FORM_NAME}書?(?:\((?P<body>[^()]*)\))?"
)
#: Where the title is looked for (B2 as issued; a clerk adds a few rows and columns).
TITLE_ROWS, TITLE_COLUMNS = 10, 30
#: The template's cells (reading finds them by their labels; B2 is also where a title that
#: is not this form's is reported).
TITLE_CELL = "B2"
FIRST_KPI_ROW = 5
VALUE_COLUMN = "D"
STATUS_CELL, DATE_CELL = "D9", "D10"
#: The header row: 項目 over the KPI labels, 実績 over the values (備考 is not read).
ACTUAL = ("実績", "実績値")
FIELDS = (
    Field("item", ("項目", "項目名", "指標", "指標名")),
    Field("actual", ACTUAL),
    Field("note", ("備考",), required=False),
)
STATUS_LABEL, DATE_LABEL = "確定・見込の別", "記入日"
STATUS = {"確定": "final", "確定値": "final", "見込": "provisional", "見込み": "provisional", "見込値": "provisional"}
#: The unit a clerk may type after each KPI's number (``3団体``, ``14人``).
UNITS = {1: ("団体",), 2: ("人",), 3: ("人",)}


def sheet_name(fiscal_year: int) -> str:
    """``R6`` for 2024: the era's letter and year, as the city names its sheets."""
    era = next(e for e in ERAS if e.first_year <= fiscal_year)
    return f"{era.letter}{fiscal_year - era.first_year + 1}"
