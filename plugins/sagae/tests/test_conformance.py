"""寒河江市's plugin passes the conformance kit every saisei plugin passes."""

import saisei_sagae

from saisei.testing import PluginConformance


class TestConformance(PluginConformance):
    plugin = saisei_sagae
    name = "sagae"
    units = {1: ("団体",), 2: ("人",), 3: ("人",)}  # the units the form allows, by KPI
