"""尾花沢市's plugin passes the conformance kit every saisei plugin passes."""

import saisei_obanazawa

from saisei.testing import PluginConformance


class TestConformance(PluginConformance):
    plugin = saisei_obanazawa
    name = "obanazawa"
    units = ()  # the form allows no unit typed into a value cell
