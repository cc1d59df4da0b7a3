"""pandas as it is in a saisei install: not there.

The benchmark's environment has pandas for the naive pandas + openpyxl reading only;
saisei does not depend on it, but pandera imports it whenever it is installed (about
0.4 s of start-up).  The runner puts this folder first on ``PYTHONPATH`` for every
process that runs saisei, so they start as they would where saisei is installed.
"""

raise ModuleNotFoundError("No module named 'pandas'", name="pandas")
