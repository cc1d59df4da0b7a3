"""酒田市's plugin passes the conformance kit every saisei plugin passes."""

import saisei_sakata

from saisei.testing import PluginConformance


class TestConformance(PluginConformance):
    plugin = saisei_sakata
    name = "sakata"
    units = {1: ("団体",), 2: ("人",), 3: ("人",)}  # the units the form allows, by KPI
