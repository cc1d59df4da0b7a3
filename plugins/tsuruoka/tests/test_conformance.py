"""鶴岡市's plugin passes the conformance kit every saisei plugin passes."""

import saisei_tsuruoka

from saisei.testing import PluginConformance


class TestConformance(PluginConformance):
    plugin = saisei_tsuruoka
    name = "tsuruoka"
    units = ()  # the form allows no unit typed into a value cell
