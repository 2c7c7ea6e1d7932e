"""How prices and probabilities read on the odds pages."""

from django import template

register = template.Library()

DASH = "\u2014"
MINUS = "\u2212"


@register.filter
def price(value) -> str:
    """Decimal odds to two places: 9.62."""
    return DASH if value is None else f"{value:.2f}"


@register.filter
def percent(value, digits: int = 1) -> str:
    """A probability (or an overround) as a percentage: 0.0963 -> "9.6%"."""
    if value is None:
        return DASH
    text = f"{100 * value:.{int(digits)}f}%"
    return text.replace("-", MINUS)


@register.filter
def change(value) -> str:
    """A price movement with its sign: "+1.04", "−0.38", "0.00"."""
    if value is None:
        return ""
    if value == 0:
        return "0.00"
    return f"+{value:.2f}" if value > 0 else f"{MINUS}{abs(value):.2f}"


@register.filter
def percent_width(value) -> str:
    """A probability as a CSS width, dot-decimal whatever the locale: "9.63%"."""
    return f"{100 * (value or 0):.2f}%"
