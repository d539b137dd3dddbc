"""Areas of the dashboard, one module each (``area = Area(...)``; see cocontrol.web.registry)."""
