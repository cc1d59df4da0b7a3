"""Reading a file for a test as ``saisei consolidate`` reads it; formula results as Excel saves them."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..core.plan import Plan
from ..pipeline import FileResult, read_file
from ..plans import load_plan
from ..plugins import Registry, get_registry

__all__ = ["make_registry", "read_bytes", "read_path", "validated", "with_cached_results"]


def make_registry(*extra: tuple[str, object], entrypoints: bool = True) -> Registry:
    """The built-in readers, the installed plugins, and ``extra`` (name, plugin) pairs."""
    registry = get_registry(entrypoints=entrypoints, disabled=[name for name, _ in extra])
    for name, plugin in extra:
        registry.register(name, plugin)
    return registry


def read_path(
    path: str | Path, *, plan: Plan | None = None, registry: Registry | None = None, validate: bool = True
) -> FileResult:
    """Read one file as ``saisei consolidate`` would: detection, reading, issues, and (unless
    ``validate=False``) the validation of its observations against the schema and the plan."""
    plan = plan or load_plan()
    registry = registry or make_registry()
    result = read_file(Path(path), plan, registry)
    return validated(result, plan, registry) if validate else result


def read_bytes(
    data: bytes,
    name: str = "form.xlsx",
    *,
    plan: Plan | None = None,
    registry: Registry | None = None,
    validate: bool = True,
) -> FileResult:
    """Like :func:`read_path`, for a workbook held in memory (written to a temporary file)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return read_path(path, plan=plan, registry=registry, validate=validate)


def validated(result: FileResult, plan: Plan, registry: Registry) -> FileResult:
    """``result`` with the issues ``consolidate`` adds when it validates the observations
    (the schema, the plan's bodies, years and KPIs, the plugin's own body)."""
    if result.frame is None or result.frame.is_empty():
        return result
    import polars as pl

    from ..validate import validate_observations

    frame = result.frame.with_columns(pl.lit(0, dtype=pl.Int64).alias("submission"))
    found = validate_observations(frame, [result], plan, registry)
    return replace(result, issues=[*result.issues, *found[0]]) if found else result


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
