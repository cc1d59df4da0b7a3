"""The cover letter (送付状) that goes with each annotated copy, in plain Japanese."""

from __future__ import annotations

from collections.abc import Sequence

from .listing import Cover, Placed, reiwa
from .problems import expected_of

__all__ = ["cover_letter"]


def _line(number: int, item: Placed) -> str:
    found, expected = expected_of(item.problem)
    if item.cell is None:
        where = "ブック全体" if item.sheet is None else f"シート「{item.sheet}」"
    else:
        hidden = "（非表示シート）" if item.hidden else ""
        where = f"シート「{item.sheet}」{hidden}のセル {item.cell}"
    tail = f" → {expected}" if expected else ""
    return f"  {number}. {where}: {found}{tail}"


def cover_letter(cover: Cover, items: Sequence[Placed], *, sender: str, plan_name: str, copy_name: str | None) -> str:
    """The letter's text.  ``copy_name`` is the annotated copy's file name, ``None`` when
    the workbook could not be opened (then the letter alone says what to do)."""
    errors = [i for i in items if i.problem.is_error]
    warnings = [i for i in items if not i.problem.is_error]
    out = [f"{cover.body} ご担当者様" if cover.body else "ご担当者様", ""]
    out.append(f"{sender}です。地域再生計画「{plan_name}」のKPI実績のご報告をありがとうございました。")
    out.append(f"お送りいただいたブック「{cover.file}」を確認したところ、確かめていただきたい点がありました。")
    out.append("")
    if copy_name is not None:
        out.append(f"同封の「{copy_name}」は、お送りいただいたブックに確認事項を書き加えたものです。")
        out.append("最初のシート「確認事項」に一覧があり、セル番地をクリックするとそのセルに移ります。")
        out.append("該当するセルには色（エラーは赤、警告は黄）とメモ（セルにマウスを重ねると表示）を付けています。")
        out.append("ほかの値・数式・書式は、お送りいただいたときのままです。")
    else:
        out.append("このブックは開けなかったため、確認事項を書き加えたブックはお送りしていません。")
    number = 0
    if errors:
        out += ["", f"■ 直していただきたい点（エラー {len(errors)}件）"]
        for item in errors:
            number += 1
            out.append(_line(number, item))
    if warnings:
        out += ["", f"■ 確かめていただきたい点（警告 {len(warnings)}件。正しければ直す必要はありません）"]
        for item in warnings:
            number += 1
            out.append(_line(number, item))
    out += ["", "■ 期限"]
    if cover.due is not None:
        out.append(f"  {reiwa(cover.due)}までにお送りください。")
    else:
        out.append("  県の担当者からの連絡のとおりお送りください。")
    out += ["", "■ 送り直し方"]
    if copy_name is not None:
        out.append(f"  1. 「{copy_name}」を開き、上の点を直して上書き保存してください。")
        out.append("     「確認事項」シート・色・メモは消さずに残したままでかまいません（集計では読みません）。")
    else:
        out.append("  1. 元のブックをExcelで開き、「Excelブック（*.xlsx）」の形式で保存し直してください。")
    out.append("  2. 前回と同じ方法で、県の担当者へお送りください。")
    out += ["", "ご不明な点は、県の担当者までお問い合わせください。", "", reiwa(cover.checked), sender, ""]
    return "\r\n".join(out)
