"""The "New backtest" form: what to run it on, the rule and its parameters, the stake, the price.

Django's fields read the choices (competition, seasons, rule, bookmaker); every strategy value is
handed as text to ``StrategySpec.from_dict``, the one validator the command and stored strategies
share, and a ``StrategyError`` is shown on the field it names. Only the parameters the chosen
rule reads are handed over: a value typed into a field another rule uses is not an error.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse

from markets.models import Bookmaker
from trading import pages
from trading.strategy import MARKETS, StrategyError, StrategySpec
from trading.walkforward import DEFAULT_GRID, settings as grid_settings

RULE_CHOICES = [
    ("Back every match", [("back:home", "Home side"), ("back:draw", "Draw"), ("back:away", "Away side"),
                          ("back:over2.5", "Over 2.5 goals"), ("back:under2.5", "Under 2.5 goals"),
                          ("back:ah_home", "Home side, Asian handicap"), ("back:ah_away", "Away side, Asian handicap")]),
    ("Rules", [("value", "Value: our model beats the price"), ("closing_line", "Closing line: beat the sharp price"),
               ("favourite_longshot", "Favourite or long shot"), ("market_move", "Follow the market move")]),
]
MARKET_CHOICES = [(market, label) for market, label in pages.MARKET_LABELS.items() if market in MARKETS]
# Which rules read which parameter (the page hides the others with CSS; the server ignores them).
PARAMETER_RULES = {"edge": ("value", "closing_line"), "markets": ("value", "closing_line", "market_move"),
                   "model": ("value",), "side": ("favourite_longshot",), "move": ("market_move",)}
# Walk-forward grids a rule can use: Kelly needs a probability, which only value and closing_line have.
WALK_FORWARD_GRIDS = {
    "value": DEFAULT_GRID,
    "closing_line": DEFAULT_GRID,
    "market_move": {"move": [0.03, 0.05, 0.1], "max_price": [2.5, 4.0, 10.0]},
    "back": {"min_price": [1.01, 1.5, 2.0], "max_price": [2.5, 4.0, 10.0]},
    "favourite_longshot": {"min_price": [1.01, 1.5, 2.0], "max_price": [2.5, 4.0, 10.0]},
}
# A StrategyError's field -> the form field that shows it.
ERROR_FIELDS = {"selection": "rule", "sharp": "rule"}


def _number(initial: str, **attrs) -> forms.CharField:
    """Text handed to StrategySpec as it was typed (its message names a bad one); a number keypad on phones."""
    return forms.CharField(initial=initial, required=False, max_length=20,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", **attrs}))


class BacktestForm(forms.Form):
    # Choices read once per form (a model field's queryset is read again at each rendering).
    competition = forms.TypedChoiceField(coerce=int, help_text="Those with finished matches and prices.")
    seasons = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple)
    rule = forms.ChoiceField(choices=RULE_CHOICES, initial="value")
    edge = _number("0.05", min="-0.49", max="4.99")
    markets = forms.MultipleChoiceField(choices=MARKET_CHOICES, initial=["1x2"], required=False,
                                        widget=forms.CheckboxSelectMultiple)
    model = forms.ChoiceField(choices=[("dixon_coles", "Dixon-Coles"), ("elo", "Elo (result only)")])
    side = forms.ChoiceField(choices=[("favourite", "Favourite"), ("longshot", "Long shot")])
    move = _number("0.05", min="0", max="0.99")
    min_price = _number("1.01", min="1.01")
    max_price = _number("1000", min="1.01")
    stake = forms.ChoiceField(choices=[("flat", "Flat"), ("proportional", "Share of the bankroll"),
                                       ("kelly", "Kelly fraction")], initial="flat")
    stake_amount = _number("1", min="0")
    kelly_cap = _number("0.1", min="0", max="1")
    price = forms.ChoiceField(choices=[("closing", "Closing"), ("opening", "Opening"),
                                       ("snapshot", "Snapshot before kick-off")], initial="closing")
    snapshot_minutes = forms.IntegerField(required=False, min_value=0, max_value=60 * 24 * 14, initial=60)
    bookmaker = forms.ChoiceField(initial="best")
    commission = _number("0", min="0", max="0.99")
    bankroll = _number("100", min="0")
    walk_forward = forms.BooleanField(required=False)
    save_as = forms.CharField(required=False, max_length=80)

    labels = {
        "edge": "Edge (0.05 is 5%)", "move": "Move (0.05: 5% shorter)", "min_price": "Lowest price",
        "max_price": "Highest price", "stake_amount": "Units, share or Kelly fraction", "kelly_cap": "Kelly cap",
        "snapshot_minutes": "Minutes before kick-off", "commission": "Commission (0.05 is 5%)",
        "bankroll": "Starting bankroll", "walk_forward": "Walk-forward: refit a grid on each season, bet the next",
        "save_as": "Save as strategy (name)",
    }
    help_texts = {
        "stake_amount": "Flat: units a bet (1). Share: of the bankroll (0.02). Kelly: of full Kelly (0.25).",
        "kelly_cap": "Kelly only: the most of the bankroll on one bet.",
        "snapshot_minutes": "Snapshot only: the latest price at least this long before kick-off.",
        "commission": "An exchange's share of each market's net winnings.",
        "save_as": "Saving again under the same name makes a new version if the definition changed.",
    }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.spec: StrategySpec | None = None
        for name, label in self.labels.items():
            self.fields[name].label = label
        for name, text in self.help_texts.items():
            self.fields[name].help_text = text
        for name, rules in PARAMETER_RULES.items():
            self.fields[name].rules = " ".join(rules)
        for name in ("rule", "bookmaker", "walk_forward", "save_as"):
            self.fields[name].wide = True  # two columns where there are several
        self.fields["kelly_cap"].when = "kelly"  # shown only for that stake or price (trading.css)
        self.fields["snapshot_minutes"].when = "snapshot"
        self.fields["bookmaker"].choices = [("best", "Best price of any bookmaker")] + [
            (code, f"{name} ({code})") for code, name in
            Bookmaker.objects.filter(is_aggregate=False).order_by("name").values_list("code", "name")]
        self.competitions = {competition.pk: competition for competition in pages.priced_competitions()}
        self.fields["competition"].choices = [(pk, competition.name) for pk, competition in self.competitions.items()]
        self.chosen_competition = self._competition()
        self.seasons = {season.pk: season for season in pages.priced_seasons(self.chosen_competition)}
        self.fields["seasons"].choices = [(pk, season.name) for pk, season in self.seasons.items()]
        self.fields["competition"].widget.attrs.update({
            "hx-get": reverse("trading:season-choices"), "hx-target": "#season-field", "hx-swap": "outerHTML", "hx-trigger": "change"})
        if user is None or not user.is_authenticated:
            del self.fields["save_as"]

    def _competition(self):
        """The competition whose seasons the form offers: the submitted one, else the initial, else the first."""
        raw = self.data.get(self.add_prefix("competition")) if self.is_bound else self.initial.get("competition")
        raw = str(getattr(raw, "pk", raw) or "")
        if raw.isdigit() and int(raw) in self.competitions:
            return self.competitions[int(raw)]
        return None if self.is_bound else next(iter(self.competitions.values()), None)

    def clean_competition(self):
        return self.competitions[self.cleaned_data["competition"]]

    def clean_seasons(self):
        return [self.seasons[pk] for pk in self.cleaned_data["seasons"]]

    def definition(self) -> dict:
        """The strategy fields, as typed, for StrategySpec.from_dict."""
        data = self.cleaned_data
        rule = data.get("rule", "")
        name, _, selection = rule.partition(":")
        fields = {"rule": name, "selection": selection or None}
        for parameter, rules in PARAMETER_RULES.items():
            if name in rules:
                fields[parameter] = data.get(parameter) if parameter != "markets" else (data.get("markets") or [])
        for parameter in ("min_price", "max_price", "commission", "bankroll"):
            fields[parameter] = data.get(parameter) or None
        amount = (data.get("stake_amount") or "").strip()
        stake = data.get("stake", "flat")
        if stake == "kelly":
            cap = (data.get("kelly_cap") or "").strip()
            stake = f"kelly:{amount or '1'}:{cap}" if cap else f"kelly:{amount or '1'}"
        elif amount:
            stake = f"{stake}:{amount}"
        fields["stake"] = stake
        price = data.get("price", "closing")
        if price == "snapshot":
            minutes = data.get("snapshot_minutes")
            price = f"snapshot:{60 if minutes is None else minutes}"
        fields["price"] = price
        fields["bookmaker"] = data.get("bookmaker") or "best"
        return {key: value for key, value in fields.items() if value not in (None, "")}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.spec = StrategySpec.from_dict(self.definition())
        except StrategyError as exc:
            field = ERROR_FIELDS.get(exc.field, exc.field)
            message = str(exc).partition(": ")[2] or str(exc)
            self.add_error(field if field in self.fields else None, message)
            return data
        if data.get("walk_forward"):
            if len(data.get("seasons") or []) < 2:
                self.add_error("walk_forward", "A walk-forward needs two seasons or more: it fits on one and bets the next.")
            else:
                try:
                    grid_settings(self.spec, self.walk_forward_grid())
                except StrategyError as exc:
                    self.add_error("walk_forward", str(exc))
        return data

    def walk_forward_grid(self) -> dict | None:
        if not self.cleaned_data.get("walk_forward") or self.spec is None:
            return None
        return WALK_FORWARD_GRIDS[self.spec.rule]

    def groups(self) -> list[tuple[str, list]]:
        """The fieldsets the page draws, in order."""
        names = [("Data", ["competition", "seasons"]),
                 ("Rule", ["rule", "edge", "markets", "model", "side", "move", "min_price", "max_price"]),
                 ("Stake", ["stake", "stake_amount", "kelly_cap", "bankroll"]),
                 ("Price", ["price", "snapshot_minutes", "bookmaker", "commission"]),
                 ("Run", ["walk_forward", "save_as"])]
        return [(title, [self[name] for name in fields if name in self.fields]) for title, fields in names]

    @staticmethod
    def initial_from(definition: dict) -> dict:
        """A stored definition as the form's initial values (the strategies list's "Use" link)."""
        rule = definition.get("rule", "value")
        initial = {"rule": f"back:{definition.get('selection')}" if rule == "back" else rule}
        for name in ("edge", "move", "min_price", "max_price", "commission", "bankroll"):
            if name in definition:
                initial[name] = f"{definition[name]:g}"
        for name in ("markets", "model", "side", "bookmaker"):
            if name in definition:
                initial[name] = definition[name]
        kind, _, rest = definition.get("stake", "flat").partition(":")
        parts = rest.split(":") if rest else []
        initial.update(stake=kind, stake_amount=parts[0] if parts else "1")
        if len(parts) > 1:
            initial["kelly_cap"] = parts[1]
        price = definition.get("price", "closing")
        if price.startswith("snapshot:"):
            initial.update(price="snapshot", snapshot_minutes=int(price.partition(":")[2]))
        else:
            initial["price"] = price
        return initial
