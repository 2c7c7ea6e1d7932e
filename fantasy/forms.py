"""The optimizer's forms: an FPL squad (or transfers from your squad) and DraftKings lineups for a slate.

Each form cleans into the ``settings`` an ``Optimization`` stores; players are named as an upload
names them (our id, the slate's id or a name), and a name that is not found, or fits two players,
is an error on its field that says which.
"""

from __future__ import annotations

import re

from django import forms

from fantasy.optimizing import MAX_LINEUPS
from fantasy.rules import DK_CLASSIC, FPL
from fantasy.uploads import Target, find_players

SEPARATORS = re.compile(r"[,\n;]+")


def _names(text: str) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(text or "") if part.strip()]


class FplSquadForm(forms.Form):
    source = forms.ChoiceField(label="Projections", choices=[("ours", "Ours (simulation)"), ("yours", "Yours (upload)")])
    budget = forms.DecimalField(label="Budget (£m)", initial=FPL.budget, min_value=80, max_value=120, decimal_places=1)
    bench_weight = forms.FloatField(label="Bench weight", initial=0.1, min_value=0, max_value=1,
                                    help_text="Each substitute's points count this much in the choice (0: none).")
    current_squad = forms.CharField(label="Your squad (for transfers)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text="Optional: your 15 players, names or ids, separated by commas or lines. "
                                              "Then the answer is the best transfers.")
    bank = forms.DecimalField(label="Bank (£m)", initial=0, min_value=0, max_value=100, decimal_places=1)
    free_transfers = forms.IntegerField(label="Free transfers", initial=1, min_value=0, max_value=5)
    hit = forms.IntegerField(label="Points per extra transfer", initial=4, min_value=0, max_value=20)
    horizon = forms.IntegerField(label="Gameweeks ahead", initial=1, min_value=1, max_value=5,
                                 help_text="Transfers: the gameweeks whose projections count (those we have).")

    def __init__(self, *args, target: Target, has_upload: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        if not has_upload:
            self.fields["source"].choices = self.fields["source"].choices[:1]

    def clean_current_squad(self) -> list[int]:
        names = _names(self.cleaned_data["current_squad"])
        if not names:
            return []
        found, problems = find_players(self.target, names)
        if problems:
            raise forms.ValidationError(problems)
        if len(set(found)) != FPL.squad_size:
            raise forms.ValidationError(f"a squad is {FPL.squad_size} different players: these are {len(set(found))}")
        return found

    def settings(self) -> dict:
        data = self.cleaned_data
        settings = {"budget": float(data["budget"]), "bench_weight": data["bench_weight"]}
        if data["current_squad"]:
            settings.update(current_squad=data["current_squad"], bank=float(data["bank"]),
                            free_transfers=data["free_transfers"], hit=data["hit"], horizon=data["horizon"])
        return settings


class DkLineupsForm(forms.Form):
    source = forms.ChoiceField(label="Projections")
    lineups = forms.IntegerField(label="Lineups", initial=20, min_value=1, max_value=MAX_LINEUPS)
    max_per_team = forms.IntegerField(label="Most players of one team", required=False, min_value=1,
                                      max_value=DK_CLASSIC.size - 1)
    stack = forms.IntegerField(label="Stack: attackers (M/F) of one team", required=False, min_value=2, max_value=5,
                               help_text="At least this many midfielders or forwards of one team.")
    stack_team = forms.ChoiceField(label="Stack team", required=False)
    min_difference = forms.IntegerField(label="Players different between lineups", initial=1, min_value=1,
                                        max_value=DK_CLASSIC.size)
    max_exposure = forms.IntegerField(label="Most lineups a player is in (%)", required=False, min_value=1,
                                      max_value=100)
    randomness = forms.FloatField(label="Randomness (± % of each projection)", initial=0, min_value=0, max_value=50)
    locks = forms.CharField(label="Lock", required=False, help_text="Names or ids, separated by commas: in every lineup.")
    excludes = forms.CharField(label="Exclude", required=False, help_text="Names or ids: in no lineup.")
    goalkeeper_rule = forms.BooleanField(label="No goalkeeper against his opponents' attackers", required=False,
                                         initial=True)

    def __init__(self, *args, slate, sources: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.slate = slate
        self.fields["source"].choices = list(sources.items())
        teams = sorted(set(slate.players.values_list("team_abbrev", flat=True)))
        self.fields["stack_team"].choices = [("", "any team")] + [(team, team) for team in teams]

    def _slate_ids(self, name: str) -> list[str]:
        """The slate's own ids (what the optimizer and DraftKings' file use) of the players named."""
        rows = list(self.slate.players.values_list("external_id", "name", "player_id"))
        by_external = {external: external for external, _, _ in rows}
        folded = {}
        for external, player_name, _ in rows:
            folded.setdefault(player_name.casefold(), []).append(external)
        found, problems = [], []
        for text in _names(self.cleaned_data[name]):
            if text in by_external:
                found.append(text)
            elif len(folded.get(text.casefold(), [])) == 1:
                found.append(folded[text.casefold()][0])
            elif folded.get(text.casefold()):
                problems.append(f"{text!r} could be ids {', '.join(folded[text.casefold()])}: use the id")
            else:
                problems.append(f"{text!r} is not on this slate")
        if problems:
            raise forms.ValidationError(problems)
        return found

    def clean_locks(self) -> list[str]:
        return self._slate_ids("locks")

    def clean_excludes(self) -> list[str]:
        return self._slate_ids("excludes")

    def clean(self):
        data = super().clean()
        both = set(data.get("locks") or ()) & set(data.get("excludes") or ())
        if both:
            self.add_error("excludes", f"locked and excluded at once: {', '.join(sorted(both))}")
        if data.get("stack_team") and not data.get("stack"):
            self.add_error("stack", "say how many attackers the stack of the chosen team holds")
        return data

    def settings(self) -> dict:
        data = self.cleaned_data
        settings = {"lineups": data["lineups"], "min_difference": data["min_difference"],
                    "randomness": data["randomness"], "locks": data["locks"], "excludes": data["excludes"],
                    "no_goalkeeper_against_attackers": data["goalkeeper_rule"]}
        if data.get("max_per_team"):
            settings["max_per_team"] = data["max_per_team"]
        if data.get("stack"):
            settings["stacks"] = [{"count": data["stack"], "positions": sorted(DK_CLASSIC.attacker_positions),
                                   "team": data.get("stack_team") or ""}]
        if data.get("max_exposure"):
            settings["max_exposure"] = data["max_exposure"] / 100
        return settings
