"""A strategy's definition: the rule that picks bets, its parameters, the stake, the price taken.

One vocabulary for the ``backtest`` command, the strategy form and the stored versions
(``Strategy.definition``): ``StrategySpec.from_dict`` validates every field and names the one
that is wrong. Rules:

- ``back:SELECTION``: every match, one selection — ``home``, ``draw``, ``away``, ``over2.5``,
  ``under2.5`` (any ``overX``/``underX`` line the bookmaker quotes), ``ah_home``, ``ah_away``
  (the Asian handicap line the bookmaker quoted at that moment). The simple cases a hand
  calculation from a file can check.
- ``value``: our model's probability × the price beats 1 by ``edge``; ``markets`` among 1X2,
  over/under 2.5 and the Asian handicap; ``model`` dixon_coles or elo (result only).
- ``closing_line``: the price beats the sharp book's fair price at the same moment (Pinnacle's,
  margin removed) by ``edge``. Sharp prices move least before the close, so a soft price above
  them tends to be beaten by the close; the report's CLV says whether it was.
- ``favourite_longshot``: back the favourite (``side=favourite``: the shortest price of the 1X2
  book) or the long shot (the longest); the odds range picks which favourites.
- ``market_move``: back what the market backed: a price at bet time at least ``move`` shorter
  than the same bookmaker's opening price (needs a bet-time price after the opening).

Every rule takes ``min_price``/``max_price``. ``price`` is ``opening``, ``closing`` or
``snapshot:MINUTES`` (the latest snapshot at least that long before kick-off); ``bookmaker`` a
code (``PS``, ``B365``, ``BFE`` for Betfair Exchange) or ``best`` (the highest real bookmaker's
price, never an aggregate's); ``commission`` the exchange's share of a market's net winnings.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from trading.staking import StakeError, StakePlan

RULES = ("back", "value", "closing_line", "favourite_longshot", "market_move")
MARKETS = ("1x2", "over_under", "asian_handicap")
MODELS = ("dixon_coles", "elo")
SIMPLE = re.compile(r"^(home|draw|away|ah_home|ah_away|(?:over|under)(\d+(?:\.\d+)?))$")
SNAPSHOT = re.compile(r"^snapshot:(\d+)$")
DEFAULT_BANKROLL = 100.0


class StrategyError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class StrategySpec:
    rule: str
    selection: str = ""  # back: which selection
    edge: float = 0.05
    markets: tuple[str, ...] = ("1x2",)
    model: str = "dixon_coles"
    side: str = "favourite"
    move: float = 0.05
    sharp: str = "PS"
    min_price: float = 1.01
    max_price: float = 1000.0
    stake: str = "flat:1"
    price: str = "closing"
    bookmaker: str = "best"
    commission: float = 0.0
    bankroll: float = DEFAULT_BANKROLL
    extra: dict = field(default_factory=dict, compare=False)

    # ---------------------------------------------------------------- reading
    @classmethod
    def from_rule(cls, rule: str, **fields) -> StrategySpec:
        """``back:home`` -> rule back, selection home; any other rule name as it is."""
        name, _, selection = rule.partition(":")
        return cls.from_dict({"rule": name, **({"selection": selection} if selection else {}), **fields})

    @classmethod
    def from_dict(cls, data: dict) -> StrategySpec:
        data = {key: value for key, value in data.items() if value is not None}
        known = set(cls.__dataclass_fields__) - {"extra"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise StrategyError(unknown[0], f"unknown field (known: {', '.join(sorted(known))})")
        rule = str(data.get("rule", ""))
        if rule not in RULES:
            raise StrategyError("rule", f"{rule!r} is not a rule; use one of {', '.join(RULES)}")
        values = {"rule": rule}
        for name in ("edge", "move", "min_price", "max_price", "commission", "bankroll"):
            if name in data:
                values[name] = _number(name, data[name])
        for name in ("selection", "model", "side", "sharp", "stake", "price", "bookmaker"):
            if name in data:
                values[name] = str(data[name]).strip()
        if "markets" in data:
            markets = data["markets"]
            markets = markets.split(",") if isinstance(markets, str) else list(markets)
            values["markets"] = tuple(market.strip() for market in markets if market.strip())
        spec = cls(**values)
        spec.validate()
        return spec

    def validate(self) -> None:
        if self.rule == "back" and not SIMPLE.match(self.selection):
            raise StrategyError("selection", f"{self.selection!r}: back takes home, draw, away, overX, underX, "
                                             "ah_home or ah_away (e.g. back:over2.5)")
        if self.rule != "back" and self.selection:
            raise StrategyError("selection", f"only the back rule takes a selection, not {self.rule}")
        for market in self.markets:
            if market not in MARKETS:
                raise StrategyError("markets", f"{market!r} is not a market; use {', '.join(MARKETS)}")
        if not self.markets:
            raise StrategyError("markets", "at least one market")
        if self.model not in MODELS:
            raise StrategyError("model", f"{self.model!r}: use {' or '.join(MODELS)}")
        if self.rule == "value" and self.model == "elo" and set(self.markets) - {"1x2"}:
            raise StrategyError("model", "Elo forecasts the result only: use markets=1x2 or the dixon_coles model")
        if self.side not in ("favourite", "longshot"):
            raise StrategyError("side", f"{self.side!r}: use favourite or longshot")
        if not -0.5 < self.edge < 5:
            raise StrategyError("edge", f"{self.edge:g} is outside (-0.5, 5); 0.05 means 5% expected value")
        if not 0 <= self.move < 1:
            raise StrategyError("move", f"{self.move:g} is outside [0, 1); 0.05 means 5% shorter than the opening")
        if not 1 < self.min_price <= self.max_price:
            raise StrategyError("min_price", f"the odds range {self.min_price:g}-{self.max_price:g} must have "
                                             "1 < min_price <= max_price")
        if not 0 <= self.commission < 1:
            raise StrategyError("commission", f"{self.commission:g} is outside [0, 1); Betfair's 5% is 0.05")
        if not self.bankroll > 0:
            raise StrategyError("bankroll", "must be above 0")
        if self.price not in ("opening", "closing") and not SNAPSHOT.match(self.price):
            raise StrategyError("price", f"{self.price!r}: use opening, closing or snapshot:MINUTES before kick-off")
        if self.rule == "market_move" and self.price == "opening":
            raise StrategyError("price", "market_move compares with the opening price: take a later one")
        if not re.fullmatch(r"[A-Za-z0-9]{1,20}", self.bookmaker):
            raise StrategyError("bookmaker", f"{self.bookmaker!r} is not a bookmaker code (PS, B365, BFE) or best")
        try:
            plan = StakePlan.parse(self.stake)
        except StakeError as exc:
            raise StrategyError("stake", str(exc)) from None
        if plan.needs_probability and self.rule not in ("value", "closing_line"):
            raise StrategyError("stake", f"Kelly needs a probability: the {self.rule} rule has none "
                                         "(use value or closing_line, or a flat or proportional stake)")

    # ---------------------------------------------------------------- derived
    @property
    def stake_plan(self) -> StakePlan:
        return StakePlan.parse(self.stake)

    @property
    def snapshot_minutes(self) -> int | None:
        found = SNAPSHOT.match(self.price)
        return int(found.group(1)) if found else None

    def simple_target(self) -> tuple[str, str, float | None]:
        """back rule: (market, selection, line or None for the quoted Asian handicap line)."""
        found = SIMPLE.match(self.selection)
        if self.selection in ("home", "draw", "away"):
            return "1x2", self.selection, 0.0
        if self.selection.startswith("ah_"):
            return "asian_handicap", self.selection[3:], None
        return "over_under", "over" if self.selection.startswith("over") else "under", float(found.group(2))

    @property
    def markets_needed(self) -> tuple[str, ...]:
        if self.rule == "back":
            return (self.simple_target()[0],)
        if self.rule in ("favourite_longshot",):
            return ("1x2",)
        return self.markets

    @property
    def name(self) -> str:
        return f"back:{self.selection}" if self.rule == "back" else self.rule

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("extra")
        data["markets"] = list(self.markets)
        return data

    def replace(self, **changes) -> StrategySpec:
        return StrategySpec.from_dict({**self.as_dict(), **changes})


def _number(name: str, value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StrategyError(name, f"{value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise StrategyError(name, f"{value!r} is not a finite number")
    return number
