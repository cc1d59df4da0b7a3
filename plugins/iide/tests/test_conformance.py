"""飯豊町's plugin passes the conformance kit every saisei plugin passes."""

import saisei_iide

from saisei.testing import PluginConformance


class TestConformance(PluginConformance):
    plugin = saisei_iide
    name = "iide"
    units = ()  # the form allows no unit typed into a value cell
