"""saisei plugin for 寒河江市 (062065): not written yet."""
