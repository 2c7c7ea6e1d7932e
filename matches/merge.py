"""Merge duplicate rows: "Man City" and "Manchester City FC" become one team.

``merge_into(keep, duplicate)`` works for any model (Team, Player, Venue, Competition,
Season …): in one transaction it re-points every foreign key and one-to-one that
points at the duplicate, from any app, to the kept row; records the duplicate's names
as aliases of the kept row where the model has aliases; fills the kept row's blank
fields from the duplicate; and deletes the duplicate. Nothing is ever deleted along
with it: a reference that cannot move raises ``MergeError`` and the database is left
as it was.

Moving a row can collide with a unique constraint (the kept row already has a row
with the same key). What happens then depends on what the row is:

- identity rows (external ids, aliases): the kept row already knows that id or name,
  so the duplicate's copy is dropped;
- seasons: two competitions being merged each have "2023/24", which is one season,
  so the two seasons are merged too;
- anything else (both teams have a lineup in the same match, both have the same
  fixture): the merge stops with a ``MergeError`` naming the rows, for a curator to
  resolve first.
"""

from collections import Counter

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef

from matches.models import ExternalId, Source, normalize_name

# Rows that only say "this source calls it that": a copy the kept row already has is redundant. So is
# a season row both teams (or both seasons) have: derived data, dropped; the next recompute sums the
# merged matches.
REDUNDANT_WHEN_SHARED = {"matches.TeamAlias", "players.PlayerAlias", "matches.TeamSeasonStats"}
# Rows that are themselves the same thing when their keys collide: merged, not refused.
MERGED_WHEN_SHARED = {"matches.Season"}
# Models with aliases: the related name of the alias rows and the fields worth remembering.
ALIASED_NAMES = {
    "matches.Team": ("aliases", ("name", "short_name")),
    "players.Player": ("aliases", ("name", "known_as")),
}


class MergeError(Exception):
    """The merge would lose or contradict data; nothing was changed."""


def merge_into(keep: models.Model, duplicate: models.Model) -> dict[str, int]:
    """Fold ``duplicate`` into ``keep`` and delete it. Returns counts per relation.

    Keys are ``"<app>.<Model>.<field>"`` for rows moved, the same key with
    ``" (dropped: already on kept row)"`` for redundant copies removed, plus
    ``"aliases added"`` and ``"blank fields filled"``.
    """
    if type(keep) is not type(duplicate):
        raise MergeError(f"Cannot merge a {duplicate._meta.verbose_name} into a {keep._meta.verbose_name}.")
    if keep.pk is None or duplicate.pk is None:
        raise MergeError("Both rows must be saved before they can be merged.")
    if keep.pk == duplicate.pk:
        raise MergeError(f"{keep} cannot be merged into itself.")

    counts: Counter[str] = Counter()
    with transaction.atomic():
        for relation in _reverse_relations(type(keep)):
            _move_relation(relation, keep, duplicate, counts)
        names = _names_of(duplicate)
        filled = _blank_fields_filled(keep, duplicate)
        duplicate.delete()  # nothing points at it any more; PROTECT would stop us otherwise
        if filled:
            _save(keep, update_fields=filled)
            counts["blank fields filled"] += len(filled)
        counts["aliases added"] += _add_aliases(keep, names)
    return {key: n for key, n in counts.items() if n}


def merge_many(keep: models.Model, duplicates) -> dict[str, int]:
    """Merge several duplicates into ``keep`` in one transaction; counts are summed."""
    total: Counter[str] = Counter()
    with transaction.atomic():
        for duplicate in duplicates:
            total.update(merge_into(keep, duplicate))
    return dict(total)


def count_references(obj: models.Model) -> int:
    """How many rows point at ``obj``: a hint for which of several duplicates to keep."""
    return sum(
        relation.related_model._base_manager.filter(**{relation.field.name: obj}).count()
        for relation in _reverse_relations(type(obj))
    )


def _reverse_relations(model) -> list:
    """Every foreign key and one-to-one pointing at ``model``, hidden ones (related_name="+") included.

    ``_meta.related_objects`` leaves out hidden relations such as ``MatchEvent.team``;
    many-to-many tables are covered by the foreign keys of their through models.
    """
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
        and not getattr(field, "parent_link", False)
    ]


def _move_relation(relation, keep, duplicate, counts: Counter) -> None:
    model = relation.related_model
    fk = relation.field.name
    key = f"{model._meta.label}.{fk}"
    rows = model._base_manager.filter(**{fk: duplicate})
    for unique_fields in _unique_sets_with(model, fk):
        others = [name for name in unique_fields if name != fk]
        kept_twin = model._base_manager.filter(**{fk: keep}, **{name: OuterRef(name) for name in others})
        colliding = rows.filter(Exists(kept_twin))
        if not colliding.exists():
            continue
        if model._meta.label in REDUNDANT_WHEN_SHARED or issubclass(model, ExternalId):
            counts[f"{key} (dropped: already on kept row)"] += colliding.delete()[1].get(model._meta.label, 0)
        elif model._meta.label in MERGED_WHEN_SHARED:
            for row in colliding:
                twin = model._base_manager.get(**{fk: keep}, **{name: getattr(row, name) for name in others})
                counts.update(merge_into(twin, row))
                counts[f"{key} (merged with kept row's)"] += 1
        else:
            examples = ", ".join(str(row) for row in colliding[:3])
            raise MergeError(
                f"Cannot merge {duplicate} into {keep}: both have {model._meta.verbose_name_plural} "
                f"(by {fk}) with the same {', '.join(others) or fk}, e.g. {examples}. Resolve these first."
            )
    try:
        with transaction.atomic():
            counts[key] += rows.update(**{fk: keep})
    except IntegrityError as error:
        raise MergeError(
            f"Cannot move {model._meta.verbose_name_plural} ({fk}) from {duplicate} to {keep}: {error}"
        ) from error


def _unique_sets_with(model, fk: str) -> list[tuple[str, ...]]:
    """The unconditional unique field sets of ``model`` that include the foreign key ``fk``.

    Conditional and expression constraints are left to the database: a violation of
    one surfaces as an IntegrityError, turned into a MergeError.
    """
    opts = model._meta
    sets = [tuple(fields) for fields in opts.unique_together]
    sets += [tuple(constraint.fields) for constraint in opts.total_unique_constraints]
    if opts.get_field(fk).unique:
        sets.append((fk,))
    return [fields for fields in sets if fk in fields]


def _names_of(obj) -> list[str]:
    _, fields = ALIASED_NAMES.get(obj._meta.label, (None, ()))
    return [name for name in (getattr(obj, field) for field in fields) if name]


def _add_aliases(keep, names: list[str]) -> int:
    """Record the duplicate's names as aliases of ``keep``; a name already known is skipped."""
    if keep._meta.label not in ALIASED_NAMES:
        return 0
    aliases = getattr(keep, ALIASED_NAMES[keep._meta.label][0])
    added = 0
    for name in dict.fromkeys(names):
        if aliases.filter(normalized=normalize_name(name)).exists():
            continue
        alias_fields = {"alias": name}
        if any(field.name == "source" for field in aliases.model._meta.fields):
            alias_fields["source"] = Source.MANUAL
        try:
            with transaction.atomic():
                aliases.create(**alias_fields)
        except IntegrityError:
            continue  # a team alias is unique across teams: this name already points elsewhere
        added += 1
    return added


def _blank_fields_filled(keep, duplicate) -> list[str]:
    """Copy onto ``keep`` the duplicate's values for fields ``keep`` leaves empty."""
    filled = []
    for field in keep._meta.concrete_fields:
        if field.primary_key or not field.editable:
            continue
        kept, theirs = getattr(keep, field.attname), getattr(duplicate, field.attname)
        if field.is_relation and field.related_model is type(keep) and theirs == duplicate.pk:
            continue  # a self-reference to the row about to go
        if kept in (None, "") and theirs not in (None, ""):
            setattr(keep, field.attname, theirs)
            filled.append(field.name)
    return filled


def _save(keep, update_fields: list[str]) -> None:
    try:
        with transaction.atomic():
            keep.save(update_fields=update_fields)
    except IntegrityError as error:
        raise MergeError(f"Cannot fill {', '.join(update_fields)} on {keep} from the duplicate: {error}") from error
