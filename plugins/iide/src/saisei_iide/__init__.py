"""saisei plugin for 飯豊町 (064033): not written yet."""
