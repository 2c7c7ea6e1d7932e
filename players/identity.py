"""Find or create the players a source names, in bulk: one match names ~40 players thousands of times."""

from __future__ import annotations

from players.models import Player, PlayerAlias, PlayerExternalId
from matches.models import normalize_name
from matches.records import PlayerRef


def resolve_players(refs: list[PlayerRef]) -> dict[tuple[str, str | None, str], Player]:
    """Map each distinct reference, keyed ``(source, external_id, name)``, to its Player.

    With an external id, that id decides; a new id creates a player (names are not unique
    enough to merge on: curators merge duplicates in the admin). Without one, a name
    that folds to exactly one known player is that player.
    """
    distinct = {(ref.source, ref.external_id, ref.name): ref for ref in refs}
    resolved: dict[tuple[str, str | None, str], Player] = {}

    by_source: dict[str, list[str]] = {}
    for source, external_id, _ in distinct:
        if external_id:
            by_source.setdefault(source, []).append(external_id)
    known: dict[tuple[str, str], Player] = {}
    for source, ids in by_source.items():
        for link in PlayerExternalId.objects.select_related("player").filter(source=source, external_id__in=ids):
            known[(source, link.external_id)] = link.player

    missing: list[tuple[tuple, PlayerRef]] = []
    for key, ref in distinct.items():
        source, external_id, name = key
        player = known.get((source, external_id)) if external_id else _single_by_name(name)
        if player is None:
            missing.append((key, ref))
        else:
            resolved[key] = player

    # New players in three bulk inserts (bulk_create returns primary keys on SQLite and PostgreSQL).
    created = Player.objects.bulk_create(
        Player(name=ref.name, known_as=ref.known_as or "", nationality=ref.nationality, birth_date=ref.birth_date)
        for _, ref in missing
    )
    aliases, links = [], []
    for (key, ref), player in zip(missing, created):
        resolved[key] = player
        names = {normalize_name(ref.name): ref.name}
        if ref.known_as:
            names.setdefault(normalize_name(ref.known_as), ref.known_as)
        aliases += [PlayerAlias(player=player, alias=alias, normalized=folded) for folded, alias in names.items()]
        if ref.external_id:
            links.append(PlayerExternalId(player=player, source=ref.source, external_id=ref.external_id))
    PlayerAlias.objects.bulk_create(aliases)
    PlayerExternalId.objects.bulk_create(links)
    return resolved


def _single_by_name(name: str) -> Player | None:
    matches = list(
        Player.objects.filter(aliases__normalized=normalize_name(name)).distinct()[:2]
    )
    return matches[0] if len(matches) == 1 else None


def player_key(ref: PlayerRef) -> tuple[str, str | None, str]:
    return (ref.source, ref.external_id, ref.name)
