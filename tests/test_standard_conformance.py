"""The standard form passes the same conformance kit as every municipal plugin."""

from saisei.default_plugins import standard
from saisei.testing import PluginConformance


class TestStandardFormConformance(PluginConformance):
    plugin = standard
    name = "standard"
