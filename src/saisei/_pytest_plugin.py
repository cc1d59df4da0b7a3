"""saisei's pytest plugin (entry point ``pytest11``, loaded wherever saisei is installed).

It asks pytest to rewrite the asserts of :mod:`saisei.testing`, as it does those of test
modules: a failing check of the conformance kit then shows the values compared, not a
bare ``AssertionError``.  It must run before ``saisei.testing`` is imported, which an
entry-point plugin does (conftest files come later).
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("saisei.testing")
