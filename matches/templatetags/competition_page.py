"""Presentation filters for the competition season page."""

from django import template

register = template.Library()


@register.filter
def signed(number) -> str:
    """+5, 0, −3 (a true minus sign): goal differences and points adjustments."""
    if number is None or number == "":
        return ""
    number = int(number)
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"\N{MINUS SIGN}{-number}"
    return "0"
