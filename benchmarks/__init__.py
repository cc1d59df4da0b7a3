"""saisei's benchmark: synthetic inputs at scale, timed against the raw read (the floor)
and a naive pandas + openpyxl reading.  Run ``nox -s bench`` or ``python -m benchmarks``;
it writes ``benchmarks/RESULTS.md``.  Not part of the test suite.
"""
