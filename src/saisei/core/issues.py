"""Problems found on the way: every one says where, what was found, what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .text import cap_quotes, safe_text

__all__ = ["CODES", "Issue", "Severity", "location"]

Severity = Literal["error", "warning"]

#: Every issue code saisei itself raises, with what it means.  Plugins may add their own
#: codes; these are the shared vocabulary.
CODES: dict[str, str] = {
    # the file as a whole
    "unreadable-workbook": "xlsxとして読めないファイル（壊れている、途中までしかない、別の形式）",
    "encrypted-workbook": "パスワードで保護されたブック",
    "legacy-xls": "古い形式（.xls）のブック",
    "macro-workbook": "マクロ付きブック（.xlsm）",
    "unsupported-format": "xlsx以外の表計算形式（.xlsb、.ods など）",
    "workbook-too-large": "展開後の大きさが上限を超えるブック（圧縮爆弾の疑い）",
    "unsafe-workbook": "XMLに実体宣言（DOCTYPE/ENTITY）を含むブック",
    "not-a-workbook": "フォルダーにあった表計算ファイル以外のファイル（読まずに警告）",
    "unknown-form": "どのプラグインの様式とも判定できないブック",
    "ambiguous-form": "複数のプラグインが自分の様式と判定したブック",
    "plugin-failed": "プラグインが例外を出した、または不正な結果を返した",
    "plugin-load-failed": "プラグインを読み込めなかった（知らないフック名、フックの引数の誤り、例外）",
    "plugin-not-installed": "計画が様式の読み取りに指定したプラグインが入っていない",
    "plugin-body-mismatch": "プラグインが読むと言う団体の様式を、計画では別のプラグインが読む",
    "body-not-in-plan": "プラグインの団体が使っている計画にない（別の計画なら --plan で指定する）",
    "internal-error": "saisei自身の不具合でブックを読めなかった（開発者に報告する）",
    "missing-sheet": "様式に必要なシートがない",
    "bad-header": "見出し行が様式と違う",
    "ambiguous-header": "見出しが2か所にあり、どちらを読むか決められない",
    "duplicate-label": "同じ年度・KPIなどの見出し・行ラベルが2か所にある",
    "conflicting-label": "ラベルと位置（または2つのラベル）が別のKPIを指している",
    "ambiguous-sheet": "名前が同じに見えるシートが2枚あり、どちらを読むか決められない",
    "hidden-sheet": "非表示のシートから読んだ",
    "hidden-value": "表示形式のため、画面の表示と読み取る値が違うセル",
    "no-figure": "値の欄にダッシュだけ（値なしとして扱う）",
    # cells
    "formula-without-value": "計算結果が保存されていない数式セル",
    "error-value": "エラー値（#DIV/0! など）のセル",
    "merged-cell": "値の欄がほかのセルと結合されていて、どの欄の値か決められない",
    "negative-count": "負の値",
    "fractional-count": "整数でない値",
    "too-large-count": "件数として大きすぎる値（1兆を超える）",
    "not-a-number": "数値として読めない値",
    "unexpected-unit": "その欄で使えない単位",
    "missing-value": "必須の値が空欄",
    "bad-code": "誤った団体コード（桁数・検査数字）",
    "unknown-body": "計画に含まれない団体",
    "bad-fiscal-year": "読めない年度、または計画期間外の年度",
    "bad-date": "読めない日付",
    "unknown-kpi": "計画にないKPI・指標名・指標区分",
    "bad-status": "確定・見込み以外の区分",
    "duplicate-row": "同じブックの中で重複した記録",
    "bad-row": "表の並び・行の区分が様式と違う行（合計の下の値など）",
    # across files
    "conflicting-figures": "別々のブックで同じ団体・年度・KPIの値が食い違う",
    "not-reported": "審査対象年度の値が届いていない団体・KPI（未報告）",
    "total-mismatch": "様式内の合計・集計セルが明細と合わない",
}


def location(file: str | None, sheet: str | None = None, cell: str | None = None) -> str:
    """``file!sheet!cell`` with the parts that are known."""
    return "!".join(part for part in (file, sheet, cell) if part)


@dataclass(frozen=True, order=True)
class Issue:
    """One problem: an error makes the run fail (exit 1), a warning does not.

    ``message`` is the whole line a clerk reads, location first:
    ``酒田市_実績一覧.xlsx!実績一覧!E6: 件数 "△3" は負の値です（0以上の整数を入力してください）``.
    """

    severity: Severity
    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    plugin: str | None = None

    def __post_init__(self) -> None:
        # The message is read by a person, in a terminal, JSON or the report: one safe line,
        # with no quoted cell text of a megabyte.  ``file`` keeps the name as it is on disk.
        safe = safe_text(cap_quotes(self.message))
        if safe != self.message:
            object.__setattr__(self, "message", safe)
        for name in ("sheet", "cell"):
            value = getattr(self, name)
            if value is not None and (escaped := safe_text(value)) != value:
                object.__setattr__(self, name, escaped)

    @classmethod
    def at(
        cls,
        severity: Severity,
        code: str,
        detail: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        plugin: str | None = None,
    ) -> Issue:
        """Build an issue whose message is ``file!sheet!cell: detail``."""
        where = location(file, sheet, cell)
        message = f"{where}: {detail}" if where else detail
        return cls(severity, code, message, file, sheet, cell, plugin)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "file": safe_text(self.file) if self.file is not None else None,
            "sheet": self.sheet,
            "cell": self.cell,
            "plugin": self.plugin,
        }
