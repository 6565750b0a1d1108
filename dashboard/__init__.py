"""The dashboard: Starlette + Jinja2 pages, Plotly figures and the stats API."""
