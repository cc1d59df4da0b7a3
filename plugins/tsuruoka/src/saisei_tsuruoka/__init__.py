"""saisei plugin for 鶴岡市 (062031): not written yet."""
