"""saisei plugin for 尾花沢市 (062120): not written yet."""
