"""Margin removal (markets.odds) against published worked examples, and its edge cases.

Sources of the expected figures:
- penaltyblog's documentation, "Implied Odds Probabilities": odds [2.7, 2.3, 4.4] (the
  American +170/+130/+340 of its Shin example are the same prices), multiplicative and
  Shin probabilities, margin 0.0324, Shin's z 0.0162.
- penaltyblog's own test suite (test/test_implied.py): the same odds by the additive and
  power methods, given to seven decimals.
- Clarke's ``shin`` package README and tests: [2.6, 2.4, 4.3] with z = 0.01694251276407055,
  and the two-outcome book [1.5, 2.74], where Shin's method equals the additive one.
"""

import math

import pytest

from markets import odds

PENALTYBLOG_ODDS = [2.7, 2.3, 4.4]
BOOKS = [
    PENALTYBLOG_ODDS,
    [2.6, 2.4, 4.3],
    [1.5, 2.74],
    [9.62, 5.81, 1.33],  # Pinnacle's close, Burnley v Man City, 11 Aug 2023
    [1.01, 21.0, 41.0],  # a near-certainty
    [1.9, 1.9],
    [2.05, 2.05],  # an exchange-like book under 100%
    [10.5, 6.0, 1.4],  # best prices gathered from several bookmakers: an arbitrage
    [3.1, 3.4, 2.35, 9.0, 15.0, 26.0],  # more outcomes than three
]


@pytest.mark.parametrize("method", odds.METHODS)
@pytest.mark.parametrize("book", BOOKS, ids=str)
def test_every_method_gives_probabilities_summing_to_one(method, book):
    fair = odds.fair_probabilities(book, method)

    assert len(fair) == len(book)
    assert math.fsum(fair) == pytest.approx(1.0, abs=1e-12)
    assert all(0 <= probability <= 1 for probability in fair)


@pytest.mark.parametrize("method", odds.METHODS)
@pytest.mark.parametrize("book", BOOKS, ids=str)
def test_the_favourite_stays_the_favourite(method, book):
    fair = odds.fair_probabilities(book, method)

    by_price = sorted(range(len(book)), key=lambda index: book[index])
    ordered = [fair[index] for index in by_price]
    assert ordered == sorted(ordered, reverse=True)
    if len(set(book)) == len(book):  # distinct prices: strictly ordered probabilities
        assert len(set(ordered)) == len(ordered)


def test_multiplicative_matches_penaltyblog_documentation():
    fair = odds.multiplicative(PENALTYBLOG_ODDS)

    assert fair == pytest.approx([0.35873803615739097, 0.4211272598369373, 0.22013470400567173], abs=1e-12)
    assert round(odds.overround(PENALTYBLOG_ODDS), 4) == 0.0324


def test_multiplicative_is_normalisation():
    book = [9.62, 5.81, 1.33]
    implied = [1 / price for price in book]

    fair = odds.multiplicative(book)

    assert fair == pytest.approx([probability / sum(implied) for probability in implied], abs=1e-15)
    ratios = {round(p / q, 12) for p, q in zip(fair, implied)}
    assert len(ratios) == 1  # every price shortened by the same factor


def test_shin_matches_penaltyblog_documentation():
    fair = odds.shin(PENALTYBLOG_ODDS)

    assert fair == pytest.approx([0.35934391959159157, 0.42324384818283234, 0.21741223222458853], abs=1e-9)
    assert round(odds.shin_insider_share(PENALTYBLOG_ODDS), 4) == 0.0162


def test_shin_matches_clarkes_shin_package():
    book = [2.6, 2.4, 4.3]

    assert odds.shin(book) == pytest.approx([0.37299406033208965, 0.4047794109200184, 0.2222265287474275], abs=1e-9)
    # The package iterates until z moves by less than 1e-12.
    assert odds.shin_insider_share(book) == pytest.approx(0.01694251276407055, abs=1e-9)


def test_two_outcome_shin_matches_clarkes_analytic_z_and_equals_additive():
    book = [1.5, 2.74]

    assert odds.shin(book) == pytest.approx([0.6508515815085157, 0.3491484184914841], abs=1e-12)
    assert odds.shin_insider_share(book) == pytest.approx(0.03172728540646625, abs=1e-12)
    assert odds.shin(book) == pytest.approx(odds.additive(book), abs=1e-12)


def test_shin_z_of_an_even_two_way_book_is_its_overround():
    # Symmetric two-outcome book: p = 1/2 each, and Shin's equation gives z = β − 1 exactly.
    assert odds.shin_insider_share([1.9, 1.9]) == pytest.approx(2 / 1.9 - 1, abs=1e-12)
    assert odds.shin([1.9, 1.9]) == pytest.approx([0.5, 0.5], abs=1e-12)


def test_shin_takes_more_from_long_shots_than_normalisation():
    shin, basic = odds.shin([9.62, 5.81, 1.33]), odds.multiplicative([9.62, 5.81, 1.33])

    assert shin[0] < basic[0] and shin[2] > basic[2]  # the outsider loses, the favourite gains


def test_additive_matches_penaltyblog():
    fair = odds.additive(PENALTYBLOG_ODDS)

    assert fair == pytest.approx([0.3595618, 0.423974, 0.2164642], abs=1e-7)
    implied = [1 / price for price in PENALTYBLOG_ODDS]
    deductions = {round(q - p, 12) for p, q in zip(fair, implied)}
    assert deductions == {round(odds.overround(PENALTYBLOG_ODDS) / 3, 12)}  # the same amount from each


def test_power_matches_penaltyblog():
    # penaltyblog's test gives seven decimals from a solver with a looser tolerance than ours.
    assert odds.power(PENALTYBLOG_ODDS) == pytest.approx([0.3591708, 0.4237291, 0.2171001], abs=5e-6)


def test_power_k_solves_its_equation():
    book = PENALTYBLOG_ODDS
    k = odds.power_exponent(book)

    assert math.fsum((1 / price) ** k for price in book) == pytest.approx(1.0, abs=1e-14)
    assert k > 1  # a book with a margin
    fair = odds.power(book)
    for price, probability in zip(book, fair):
        assert math.log(probability) / math.log(1 / price) == pytest.approx(k, abs=1e-12)


def test_power_k_of_an_even_two_way_book_has_a_closed_form():
    # 2 · (1/1.9)^k = 1  =>  k = ln 2 / ln 1.9
    assert odds.power_exponent([1.9, 1.9]) == pytest.approx(math.log(2) / math.log(1.9), abs=1e-12)


def test_a_book_with_a_negative_margin_is_handled_by_every_method():
    book = [10.5, 6.0, 1.4]  # best prices gathered from several bookmakers: an arbitrage
    assert odds.overround(book) < 0

    assert odds.shin_insider_share(book) < 0  # no insiders explain a book under 100%
    assert odds.power_exponent(book) < 1
    for method in odds.METHODS:
        assert math.fsum(odds.fair_probabilities(book, method)) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("method", odds.METHODS)
def test_a_fair_book_is_left_as_it_is(method):
    book = [4.0, 4.0, 2.0]  # implied 0.25 + 0.25 + 0.5 = 1

    assert odds.fair_probabilities(book, method) == pytest.approx([0.25, 0.25, 0.5], abs=1e-12)


def test_additive_long_shot_too_short_for_its_share_gets_zero_and_the_rest_share_the_margin():
    # Implied: 0.9091, 0.1, 0.005, 0.002, 0.002 (overround 1.81%). The formula would take
    # 0.36% from each outcome, leaving the two 500/1 shots at −0.0016: no probability.
    book = [1.1, 10.0, 200.0, 500.0, 500.0]
    implied = [1 / price for price in book]
    naive = [probability - odds.overround(book) / len(book) for probability in implied]
    assert naive[3] < 0 and naive[4] < 0

    fair = odds.additive(book)

    assert fair[3] == fair[4] == 0.0
    assert math.fsum(fair) == pytest.approx(1.0, abs=1e-12)
    # The three others give up one equal share each, summing to the whole excess.
    theta = (implied[0] + implied[1] + implied[2] - 1) / 3
    assert fair[:3] == pytest.approx([probability - theta for probability in implied[:3]], abs=1e-15)
    assert fair[0] > fair[1] > fair[2] > 0


def test_additive_is_the_textbook_formula_when_nothing_goes_negative():
    book = [9.62, 5.81, 1.33]
    implied = [1 / price for price in book]

    assert odds.additive(book) == pytest.approx(
        [probability - odds.overround(book) / 3 for probability in implied], abs=1e-15)


def test_overround():
    assert odds.overround([9.62, 5.81, 1.33]) == pytest.approx(1 / 9.62 + 1 / 5.81 + 1 / 1.33 - 1)
    assert odds.overround([2.0, 2.0]) == 0.0


@pytest.mark.parametrize(
    "book, message",
    [
        ([], "at least two outcomes"),
        ([2.0], "at least two outcomes"),
        ([2.0, 1.0], "above 1"),
        ([2.0, 0.5], "above 1"),
        ([2.0, -3.0], "above 1"),
        ([2.0, math.nan], "above 1"),
        ([2.0, math.inf], "above 1"),
    ],
)
@pytest.mark.parametrize("function", [odds.overround, odds.multiplicative, odds.additive, odds.power, odds.shin,
                                      odds.power_exponent, odds.shin_insider_share])
def test_books_that_are_no_books_are_refused(function, book, message):
    with pytest.raises(odds.OddsError, match=message):
        function(book)


def test_unknown_method_is_refused():
    with pytest.raises(odds.OddsError, match="unknown margin-removal method 'logit'"):
        odds.fair_probabilities([2.0, 2.0], "logit")
