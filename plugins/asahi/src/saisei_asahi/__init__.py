"""saisei plugin for 朝日町 (063231): not written yet."""
