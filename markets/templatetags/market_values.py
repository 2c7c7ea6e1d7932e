"""How market values read: €12.4m, €850k, +€1.2m, +4.8%."""

from django import template

register = template.Library()

DASH = "\u2014"
MINUS = "\u2212"


def _amount(value: float) -> str:
    value = abs(value)
    if value >= 1_000_000:
        text = f"{value / 1_000_000:.{1 if value >= 10_000_000 else 2}f}".rstrip("0").rstrip(".")
        return f"€{text}m"
    if value >= 1_000:
        return f"€{value / 1_000:.0f}k"
    return f"€{value:.0f}"


@register.filter
def eur(value) -> str:
    """A market value: 12_400_000 -> "€12.4m", 850_000 -> "€850k"."""
    return DASH if value is None else _amount(value)


@register.filter
def eur_change(value) -> str:
    """A change of value with its sign: "+€1.2m", "−€300k", "±€0"."""
    if value is None:
        return ""
    if not value:
        return "±€0"
    return ("+" if value > 0 else MINUS) + _amount(value)


@register.filter
def signed_percent(value) -> str:
    """A relative change: 0.048 -> "+4.8%"."""
    if value is None:
        return ""
    text = f"{100 * abs(value):.1f}%"
    return ("+" if value > 0 else MINUS if value < 0 else "±") + text


@register.filter
def factor(value) -> str:
    """A multiplicative term: 1.234 -> "×1.23"."""
    return DASH if value is None else f"×{value:.2f}"
