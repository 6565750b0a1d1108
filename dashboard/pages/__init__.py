"""One module per area of the dashboard, each with a `routes()` list that `dashboard.app` joins."""
