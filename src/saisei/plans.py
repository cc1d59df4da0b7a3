"""Loading a plan file (TOML).  The Yamagata plan ships with saisei and is the default."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from .core.plan import Plan, PlanError, parse_plan

__all__ = ["DEFAULT_PLAN", "load_plan"]

DEFAULT_PLAN = "yamagata.toml"


@lru_cache(maxsize=8)
def _default() -> Plan:
    text = files("saisei.core").joinpath("data", DEFAULT_PLAN).read_text(encoding="utf-8")
    return parse_plan(tomllib.loads(text), text)


def load_plan(path: str | Path | None = None) -> Plan:
    """The plan in ``path`` (TOML, the shape of ``saisei/core/data/yamagata.toml``).

    Without a path, the Yamagata plan (山形県と6市町、2024〜2026年度).  Raises
    :class:`~saisei.core.plan.PlanError` with every problem of a bad file.
    """
    if path is None:
        return _default()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"計画ファイル {path} を読めません: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise PlanError(
            f"計画ファイル {path} の{line}行目が UTF-8 ではありません（Shift_JIS などで保存されています）。"
            "UTF-8 で保存し直してください"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"計画ファイル {path} はTOMLとして読めません: {exc}") from None
    except RecursionError:
        raise PlanError(
            f"計画ファイル {path} は入れ子が深すぎて読めません（並びや表の入れ子を見直してください）"
        ) from None
    try:
        return parse_plan(data, text)
    except PlanError as exc:
        raise PlanError(f"{path}: {exc}") from None
