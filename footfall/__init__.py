"""Footfall: self-hosted web analytics and instant feedback on ClickHouse."""

__version__ = "0.1.0"
