"""朝日町's plugin passes the conformance kit every saisei plugin must pass."""

import saisei_asahi

from saisei.testing import PluginConformance


class TestConformance(PluginConformance):
    plugin = saisei_asahi
    name = "asahi"
    units = ()  # the form allows no unit typed into a value cell
