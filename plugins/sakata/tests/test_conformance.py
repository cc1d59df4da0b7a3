"""酒田市's plugin passes the conformance kit every saisei plugin passes."""

from typing import ClassVar

import saisei_sakata

from saisei.testing import PluginConformance


class TestConformance(PluginConformance):
    plugin = saisei_sakata
    name = "sakata"
    units: ClassVar[dict[int, tuple[str, ...]]] = {1: ("団体",), 2: ("人",), 3: ("人",)}  # allowed, by KPI
