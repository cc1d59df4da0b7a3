"""The conformance kit for plugin authors: what every saisei plugin must do, as tests.

A municipality's plugin gets the whole kit by subclassing :class:`PluginConformance` in
its tests::

    # plugins/mytown/tests/test_conformance.py
    import saisei_mytown
    from saisei.testing import PluginConformance

    class TestConformance(PluginConformance):
        plugin = saisei_mytown      # the module registered in the "saisei" entry points
        name = "mytown"             # the entry-point name
        plan = DATA / "plan.toml"   # the plan (a file or a Plan; default: saisei's own)
        units = ()                  # units the form allows after a figure
        samples = {DATA / "sample.xlsx": {"C4": (2024, 1, 3, "final")}}  # cell → figure

What it checks, one line a test, is in :class:`PluginConformance`'s docstring (and, in
Japanese, in ``docs/plugin-guide.md``).  A body whose sample workbook is in the project's
``examples/`` also subclasses :class:`SampleTests` (``sample_paths = (example_path(...),)``):
the sample reads the same under any name, and no other body's sample is claimed.  Every reading is validated as ``saisei
consolidate`` validates it, and a failure names the cells and figures that differ
(:func:`assert_reads`, :func:`assert_error_at`; saisei's pytest plugin has pytest rewrite
this module's asserts).

The helpers :func:`read_path` and :func:`read_bytes` run a file through the same code as
``saisei consolidate`` for a plugin's own tests.  The others are what a plugin's tests ask
of a result, each under one name:

* :func:`example_path`, :func:`example_paths` — the sample workbooks in the project's
  ``examples/`` (stored once, used by every test); :func:`expected_values` — what a correct
  reading of the samples gives;
* :func:`values_by_cell`, :func:`sums` — the observations by their cell, or added up by
  fiscal year and KPI as saisei adds up one workbook;
* :func:`errors`, :func:`warnings`, :func:`issue_cells`, :func:`message_at` — the issues,
  their codes and cells, the message at one cell;
* :func:`with_cached_results` — formula cells with the cached results Excel would save.
"""

from __future__ import annotations

from ._conformance import PluginConformance, assert_error_at, assert_reads
from ._helpers import (
    EXAMPLES_ENV,
    errors,
    example_path,
    example_paths,
    expected_values,
    issue_cells,
    message_at,
    observations,
    sums,
    values_by_cell,
    warnings,
)
from ._reading import make_registry, read_bytes, read_path, validated, with_cached_results
from ._samples import SampleTests

__all__ = [
    "EXAMPLES_ENV",
    "PluginConformance",
    "SampleTests",
    "assert_error_at",
    "assert_reads",
    "errors",
    "example_path",
    "example_paths",
    "expected_values",
    "issue_cells",
    "make_registry",
    "message_at",
    "observations",
    "read_bytes",
    "read_path",
    "sums",
    "validated",
    "values_by_cell",
    "warnings",
    "with_cached_results",
]
