"""Small presentation filters for the match page."""

from django import template

register = template.Library()

# Words that do not make a team's initials: "FC Barcelona" -> "BAR", "Manchester City" -> "MC".
FILLER = frozenset({"fc", "afc", "cf", "sc", "ac", "as", "ssc", "club", "de", "the", "of", "and", "&"})


@register.filter
def badge_letters(name: str) -> str:
    """Two or three letters standing in for a crest: "Turkey" -> "TUR", "Man United" -> "MU"."""
    words = [word for word in name.replace("-", " ").split() if word.casefold() not in FILLER] or name.split()
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(word[0] for word in words[:3]).upper()
