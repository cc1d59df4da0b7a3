"""saisei plugin for 酒田市 (062049): not written yet."""
