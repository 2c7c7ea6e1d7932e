"""The strict query-parameter readers (quantfoot/params.py): what each accepts, and the message for the rest."""

import datetime as dt

import pytest
from django.http import Http404, QueryDict

from quantfoot import params as read
from quantfoot.params import BadRequestParameter


def q(text: str) -> QueryDict:
    return QueryDict(text)


def bad(reader, *args, **kwargs) -> str:
    with pytest.raises(BadRequestParameter) as caught:
        reader(*args, **kwargs)
    return caught.value.message


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "²", "١٢", "\x00", "100000000000000000000000", " 3", "0x1"])
def test_integer_takes_ascii_digits_in_range_only(value):
    assert bad(read.integer, {"round": value}, "round", min_value=0, max_value=38).startswith(
        f"round: {value!r} is not a whole number from 0 to 38")


def test_integer_reads_digits_and_keeps_the_default_when_absent_or_empty():
    assert read.integer(q("round=12"), "round") == 12
    assert read.integer(q("round=-3"), "round", min_value=-5) == -3
    assert read.integer(q(""), "round", 7) == 7
    assert read.integer(q("round="), "round", 7) == 7  # an empty select: not chosen
    assert bad(read.integer, q("round=39"), "round", max_value=38) == "round: '39' is not a whole number from 0 to 38"


@pytest.mark.parametrize("value", ["2099-99-99", "2023-02-30", "9999-12-31", "1849-12-31", "20230101", "2023-W01",
                                   "٢٠٢٣-٠١-٠١", "2023-1-1", "yesterday"])
def test_date_is_iso_within_the_sane_range(value):
    assert bad(read.date, {"date": value}, "date") == (
        f"date: {value!r} is not a date (YYYY-MM-DD) from 1850-01-01 to 2100-12-31")


def test_date_reads_a_day_and_adding_a_week_to_the_last_one_does_not_overflow():
    assert read.date(q("date=2024-02-29"), "date") == dt.date(2024, 2, 29)
    assert read.date(q("date="), "date") is None
    assert read.date(q("date=2100-12-31"), "date") + dt.timedelta(days=7)


def test_choice_names_what_it_accepts():
    assert read.choice(q("view=home"), "view", ("overall", "home", "away"), "overall") == "home"
    assert read.choice(q("view="), "view", ("overall", "home", "away"), "overall") == "overall"
    assert bad(read.choice, q("view=bogus"), "view", ("overall", "home", "away")) == (
        "view: 'bogus' is not one of: overall, home, away")


def test_sort_takes_a_known_column_with_dir_or_a_leading_minus():
    columns = {"name": False, "goals": True}
    assert read.sort(q(""), columns, "goals") == ("goals", True)  # the column's own first direction
    assert read.sort(q("sort=name"), columns, "goals") == ("name", False)
    assert read.sort(q("sort=name&dir=desc"), columns, "goals") == ("name", True)
    assert read.sort(q("sort=-name"), columns, "goals") == ("name", True)
    assert bad(read.sort, q("sort=bogus"), columns, "goals") == (
        "sort: 'bogus' is not one of: name, goals (a leading - sorts descending)")
    assert bad(read.sort, q("sort=name&dir=up"), columns, "goals") == "dir: 'up' is not one of: asc, desc"


def test_boolean_and_text():
    assert read.boolean(q("live=yes"), "live") is True and read.boolean(q("live=0"), "live", True) is False
    assert read.boolean(q("live="), "live", True) is True
    assert bad(read.boolean, q("live=maybe"), "live").startswith("live: 'maybe' is not yes or no")
    assert read.text(q("q=%20Arsenal%20"), "q") == "Arsenal"
    assert bad(read.text, {"q": "x" * 101}, "q").endswith("is not text of at most 100 characters without NUL")
    assert bad(read.text, {"q": "a\x00b"}, "q") == "q: 'a\\x00b' is not text of at most 100 characters without NUL"


def test_a_long_bad_value_is_shortened_in_the_message_but_kept_whole_for_the_api():
    error = BadRequestParameter("q", "y" * 500, "short")
    assert len(error.message) < 100 and error.message.endswith("…' is not short")
    assert error.as_json()["value"] == "y" * 500


def test_pick_is_404_for_a_well_formed_id_of_no_row_and_400_for_a_malformed_one():
    class Row:
        def __init__(self, pk):
            self.pk = pk

    rows = [Row(3), Row(5)]
    assert read.pick(q("season=5"), "season", rows, "No such season.") is rows[1]
    assert read.pick(q("season="), "season", rows, "No such season.") is None
    with pytest.raises(Http404, match="No such season."):
        read.pick(q("season=4"), "season", rows, "No such season.")
    assert bad(read.pick, q("season=x"), "season", rows, "No such season.").startswith("season: 'x' is not an id")
