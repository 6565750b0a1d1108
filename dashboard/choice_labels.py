"""Labels of the choices the heatmap and survey pages offer (periods, device classes), marked
for translation here and translated where they are shown."""

from __future__ import annotations

from dashboard.i18n import N_

PERIOD_NAMES: tuple[tuple[str, str], ...] = (
    ("today", N_("Today")),
    ("yesterday", N_("Yesterday")),
    ("7d", N_("Last 7 days")),
    ("30d", N_("Last 30 days")),
    ("month", N_("This month")),
    ("last_month", N_("Last month")),
    ("year", N_("This year")),
    ("12mo", N_("Last 12 months")),
    ("all", N_("All time")),
)
CUSTOM_PERIOD = ("custom", N_("Custom range"))
DEVICE_NAMES = {"mobile": N_("Mobile"), "tablet": N_("Tablet"), "desktop": N_("Desktop")}


def period_choices(current: str) -> tuple[tuple[str, str], ...]:
    """The periods to offer; a custom range only when the page shows one."""
    return PERIOD_NAMES + ((CUSTOM_PERIOD,) if current == "custom" else ())
