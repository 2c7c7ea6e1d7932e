"""Find or create the players a source names, in bulk: one match names ~40 players thousands of times."""

from __future__ import annotations

from players.models import Player, PlayerAlias, PlayerExternalId, PlayerSeasonStats
from matches.models import normalize_name
from matches.records import PlayerRef


def resolve_players(refs: list[PlayerRef], *, team_ids: dict[tuple[str, str | None, str], int] | None = None
                    ) -> dict[tuple[str, str | None, str], Player]:
    """Map each distinct reference, keyed ``(source, external_id, name)``, to its Player.

    With an external id, that id decides. A new id is first looked for as the same person
    another source already gave us: the same folded name and the same birth date (and,
    when several fit, the team ``team_ids`` gives for the reference, through his season
    rows), among players no id of this source names yet. Otherwise it creates a player
    (names alone are not unique enough to merge on: curators merge duplicates in the
    admin). Without an id, a name that folds to exactly one known player is that player.
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

    # New ids of people another source knows: linked to them, not created twice.
    same_person = _by_name_and_birth_date([(key, ref) for key, ref in missing if ref.external_id and ref.birth_date],
                                          team_ids or {})
    if same_person:
        PlayerExternalId.objects.bulk_create(
            PlayerExternalId(player=player, source=key[0], external_id=key[1]) for key, player in same_person.items())
        resolved.update(same_person)
        missing = [(key, ref) for key, ref in missing if key not in same_person]

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


def _by_name_and_birth_date(wanted: list[tuple[tuple, PlayerRef]], team_ids: dict) -> dict[tuple, Player]:
    """Players (two queries) with the reference's folded name and birth date, not yet named by its source."""
    if not wanted:
        return {}
    folded = {key: normalize_name(ref.name) for key, ref in wanted}
    candidates: dict[tuple[str, object], dict[int, Player]] = {}
    for alias in PlayerAlias.objects.select_related("player").filter(
            normalized__in=set(folded.values()), player__birth_date__isnull=False):
        candidates.setdefault((alias.normalized, alias.player.birth_date), {})[alias.player.pk] = alias.player
    ids = {pk for found in candidates.values() for pk in found}
    named_by = {}
    for player_id, source in PlayerExternalId.objects.filter(player_id__in=ids).values_list("player_id", "source"):
        named_by.setdefault(player_id, set()).add(source)
    teams_of = {}
    if team_ids:
        for player_id, team_id in PlayerSeasonStats.objects.filter(player_id__in=ids).values_list("player_id",
                                                                                                   "team_id"):
            teams_of.setdefault(player_id, set()).add(team_id)
    found = {}
    for key, ref in wanted:
        fits = [player for pk, player in candidates.get((folded[key], ref.birth_date), {}).items()
                if ref.source not in named_by.get(pk, set())]
        if len(fits) > 1 and key in team_ids:
            fits = [player for player in fits if team_ids[key] in teams_of.get(player.pk, set())]
        if len(fits) == 1:
            found[key] = fits[0]
    return found


def _single_by_name(name: str) -> Player | None:
    matches = list(
        Player.objects.filter(aliases__normalized=normalize_name(name)).distinct()[:2]
    )
    return matches[0] if len(matches) == 1 else None


def player_key(ref: PlayerRef) -> tuple[str, str | None, str]:
    return (ref.source, ref.external_id, ref.name)


def resolve_team_players(refs: list[tuple[PlayerRef, int]]) -> dict[tuple[str, str | None, str], Player]:
    """``resolve_players`` for a source that names each player with his team (API-Football's
    /injuries): ``(ref, team id)`` pairs -> Player, keyed like ``resolve_players``.

    A new id whose folded name fits exactly one player of that team (one who played, or was
    reported, for it) and whom no id of this source names yet is that player: the id and the
    name are linked to him instead of a duplicate being created. API-Football abbreviates
    ("M. Salah"), so a name also fits by first initial and surname. Anything else goes to
    ``resolve_players`` (a known id decides; a new one creates a player).
    """
    from django.db.models import Q

    teams = {player_key(ref): team_id for ref, team_id in refs}
    distinct = {player_key(ref): ref for ref, _ in refs}
    by_source: dict[str, set[str]] = {}
    for source, external_id, _ in distinct:
        if external_id:
            by_source.setdefault(source, set()).add(external_id)
    linked = Q(pk__in=[])
    for source, ids in by_source.items():
        linked |= Q(source=source, external_id__in=ids)
    known = set(PlayerExternalId.objects.filter(linked).values_list("source", "external_id"))
    new_ids = {key: ref for key, ref in distinct.items() if ref.external_id and (ref.source, ref.external_id) not in known}
    found = players_by_name_in_team(new_ids, teams) if new_ids else {}
    if found:
        PlayerExternalId.objects.bulk_create(
            PlayerExternalId(player=player, source=key[0], external_id=key[1]) for key, player in found.items())
        PlayerAlias.objects.bulk_create(
            (PlayerAlias(player=player, alias=key[2], normalized=normalize_name(key[2])) for key, player in found.items()),
            ignore_conflicts=True)
    resolved = dict(found)
    rest = [ref for key, ref in distinct.items() if key not in found]
    if rest:
        resolved.update(resolve_players(rest))
    return resolved


def _name_forms(name: str) -> set[str]:
    """The folded name, and "initial surname" forms: "Mohamed Salah" -> {"mohamed salah", "m salah"}."""
    words = normalize_name(name).split()
    if not words:
        return set()
    forms = {" ".join(words)}
    if len(words) > 1:
        forms |= {f"{words[0][0]} {words[-1]}", f"{words[0][0]} {' '.join(words[1:])}"}
    return forms


def players_by_name_in_team(wanted: dict[tuple, PlayerRef], teams: dict[tuple, int]) -> dict[tuple, Player]:
    """Four queries: the teams' players, their names, and which of them this source already names."""
    from collections import Counter

    from matches.models import LineupEntry
    from players.models import PlayerAvailability, PlayerMatchStats

    team_ids = {teams[key] for key in wanted}

    def of_teams(model, team_field="team_id"):
        return model.objects.filter(**{f"{team_field}__in": team_ids}).order_by().values_list("player_id", team_field)

    pairs = of_teams(LineupEntry, "lineup__team_id").union(
        of_teams(PlayerSeasonStats), of_teams(PlayerMatchStats), of_teams(PlayerAvailability)).order_by()
    squads: dict[int, set[int]] = {}
    for player_id, team_id in pairs:
        squads.setdefault(team_id, set()).add(player_id)
    player_ids = set().union(*squads.values()) if squads else set()
    if not player_ids:
        return {}
    players = Player.objects.in_bulk(player_ids)
    forms: dict[int, set[str]] = {pk: _name_forms(p.name) | _name_forms(p.known_as) for pk, p in players.items()}
    for player_id, alias in PlayerAlias.objects.filter(player_id__in=player_ids).values_list("player_id", "alias"):
        forms[player_id] |= _name_forms(alias)
    sources = {ref.source for ref in wanted.values()}
    named = set(PlayerExternalId.objects.filter(player_id__in=player_ids, source__in=sources)
                .values_list("player_id", "source"))
    fitting: dict[tuple, int] = {}
    for key, ref in wanted.items():
        folded = normalize_name(ref.name)
        fits = [pk for pk in squads.get(teams[key], ()) if folded in forms[pk] and (pk, ref.source) not in named]
        if len(fits) == 1:
            fitting[key] = fits[0]
    # Two new ids fitting one man are two men, or a provider's mistake: neither is linked to him.
    taken = Counter(fitting.values())
    return {key: players[pk] for key, pk in fitting.items() if taken[pk] == 1}
