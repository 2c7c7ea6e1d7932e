"""The {% local_time %} tag: UTC in the markup, the site's zone (named) in the text, the year only when needed."""

import datetime as dt

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.utils import timezone

from matches.templatetags.local_time import local_text

KICKOFF = dt.datetime(2021, 6, 11, 19, 0, tzinfo=dt.UTC)  # Turkey v Italy, Euro 2020


def render(source: str, **context) -> str:
    return Template("{% load local_time %}" + source).render(Context(context))


@override_settings(TIME_ZONE="Europe/London")
def test_markup_carries_utc_and_the_format_and_the_text_names_the_sites_zone():
    html = render('{% local_time kickoff "datetime" %}', kickoff=KICKOFF)

    assert html == '<time datetime="2021-06-11T19:00:00Z" data-local="datetime">Fri 11 Jun 2021, 20:00 BST</time>'


@override_settings(TIME_ZONE="Europe/London")
def test_each_format():
    assert render('{% local_time k "time" %}', k=KICKOFF).endswith(">20:00 BST</time>")
    assert render('{% local_time k "date" %}', k=KICKOFF).endswith(">11 Jun 2021</time>")
    assert render('{% local_time k "day" %}', k=KICKOFF).endswith(">Fri 11 Jun 2021</time>")
    winter = dt.datetime(2021, 1, 9, 15, 0, tzinfo=dt.UTC)
    assert render('{% local_time k "time" %}', k=winter).endswith(">15:00 GMT</time>")


@override_settings(TIME_ZONE="Asia/Tokyo")
def test_the_day_is_the_sites_day_not_utcs():
    # 19:00 UTC on the 11th is 04:00 on the 12th in Tokyo.
    assert render('{% local_time k "datetime" %}', k=KICKOFF).endswith(">Sat 12 Jun 2021, 04:00 JST</time>")


@override_settings(TIME_ZONE="UTC")
def test_the_utc_site_says_utc():
    assert render('{% local_time k "time" %}', k=KICKOFF).endswith(">19:00 UTC</time>")


@override_settings(TIME_ZONE="Europe/London")
def test_the_year_is_left_out_only_within_about_six_months():
    now = dt.datetime(2021, 9, 1, 12, 0, tzinfo=dt.UTC)
    assert local_text(KICKOFF, "date", now=now) == "11 Jun"  # this season: no year
    assert local_text(KICKOFF, "date", now=dt.datetime(2022, 3, 1, tzinfo=dt.UTC)) == "11 Jun 2021"  # last season
    assert local_text(KICKOFF, "date", now=dt.datetime(2020, 6, 11, tzinfo=dt.UTC)) == "11 Jun 2021"  # a year ahead


def test_a_recent_kickoff_has_no_year_and_an_old_one_has():
    soon = timezone.now() + dt.timedelta(days=3)
    assert str(soon.year) not in render('{% local_time k "date" %}', k=soon).split(">")[1]
    assert "2021" in render('{% local_time k "date" %}', k=KICKOFF).split(">")[1]


def test_a_plain_date_is_shown_as_it_is_and_not_converted():
    html = render('{% local_time d "date" %}', d=dt.date(2021, 6, 11))

    assert html == '<time datetime="2021-06-11">11 Jun 2021</time>'


def test_nothing_for_none():
    assert render('{% local_time k "datetime" %}', k=None) == ""


def test_a_wrong_format_names_the_choices():
    with pytest.raises(TemplateSyntaxError, match="datetime, day, date, time"):
        render('{% local_time k "hours" %}', k=KICKOFF)


def test_a_value_that_is_not_a_date_is_an_error_naming_its_type():
    with pytest.raises(TemplateSyntaxError, match="str"):
        render('{% local_time k "date" %}', k="2021-06-11")


def test_a_table_keeps_its_csv_text_for_the_server_and_still_gets_converted():
    html = render('{% local_time k "date" text="2021-06-11" %}', k=KICKOFF)

    assert html == '<time datetime="2021-06-11T19:00:00Z" data-local="date">2021-06-11</time>'
