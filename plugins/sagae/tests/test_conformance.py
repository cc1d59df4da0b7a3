"""寒河江市's plugin passes the conformance kit every saisei plugin passes."""

import saisei_sagae

from saisei.testing import PluginConformance


class TestConformance(PluginConformance):
    plugin = saisei_sagae
    name = "sagae"
