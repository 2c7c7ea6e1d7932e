"""manage.py import_statsbomb on the real open-data folder, and on broken copies of it."""

import datetime as dt
import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from matches.models import Match, MatchEvent
from players.models import Player

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.realdata]
TURKEY_ITALY = ["--match", "3788741", "--competition", "55", "--season", "43", "--date", "2021-06-11T21:00"]


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_statsbomb", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_turkey_italy_is_0_3_with_the_own_goal_credited_to_italy(shared_data):
    root = str(shared_data("statsbomb"))
    run(root, *TURKEY_ITALY)
    match = Match.objects.select_related("home_team", "away_team", "competition").get()
    assert (match.home_team.name, match.away_team.name, match.score_display) == ("Turkey", "Italy", "0-3")
    assert (match.home_ht_score, match.away_ht_score) == (0, 0)
    assert match.competition.name == "UEFA Euro" and match.season.name == "2020"
    assert match.kickoff == dt.datetime(2021, 6, 11, 19, 0, tzinfo=dt.UTC)  # 21:00 in Rome

    own_goal = match.events.get(kind=MatchEvent.Kind.OWN_GOAL)
    assert (own_goal.team, own_goal.player.name, own_goal.minute) == (match.home_team, "Merih Demiral", 53)
    goals = match.events.filter(kind=MatchEvent.Kind.GOAL).order_by("seq")
    assert [(g.team.name, g.player.name, g.minute) for g in goals] == [
        ("Italy", "Ciro Immobile", 66), ("Italy", "Lorenzo Insigne", 79)]

    # Every event kept, numbered 1..3803 in StatsBomb's order.
    assert match.events.count() == 3803 == match.last_seq
    assert list(match.events.order_by("seq").values_list("source_index", flat=True)) == list(range(1, 3804))
    assert all(0 <= e.xg <= 1 for e in match.events.filter(kind__in=MatchEvent.SHOT_KINDS))

    lineups = {lineup.team.name: lineup for lineup in match.lineups.select_related("team")}
    assert set(lineups) == {"Turkey", "Italy"}
    assert lineups["Italy"].formation == "4-3-3"
    assert lineups["Italy"].entries.filter(is_starter=True).count() == 11
    assert lineups["Italy"].entries.filter(is_starter=False).exists()
    emerson = Player.objects.get(name="Emerson Palmieri dos Santos")
    assert emerson.known_as == "Emerson"
    assert lineups["Italy"].entries.get(player=emerson).minutes_played == 0


def test_folder_import_takes_the_matches_file_and_names_what_it_cannot_date(shared_data):
    root = str(shared_data("statsbomb"))
    out, err = run(root)
    assert "6 created" in out
    assert "skipped match 3788741" in err and "--date" in err
    scores = {(m.home_team.name, m.away_team.name): m.score_display for m in Match.objects.select_related(
        "home_team", "away_team")}
    assert scores[("Bayer Leverkusen", "RB Leipzig")] == "3-2"
    assert scores[("Bayern Munich", "Bayer Leverkusen")] == "2-2"
    assert scores[("Bayer Leverkusen", "FC Augsburg")] == "2-1"
    assert Match.objects.filter(venue__name="BayArena").count() == 4

    events_before = MatchEvent.objects.count()
    out, _ = run(root)
    assert "0 created, 0 updated, 6 unchanged" in out
    assert MatchEvent.objects.count() == events_before


def test_a_truncated_events_file_writes_nothing_of_that_match(shared_data, tmp_path):
    source = shared_data("statsbomb")
    for folder in ("events", "lineups"):
        (tmp_path / folder).mkdir()
        shutil.copy(source / folder / "3788741.json", tmp_path / folder / "3788741.json")
    events = tmp_path / "events" / "3788741.json"
    events.write_text(events.read_text()[:200_000])  # cut mid-file
    with pytest.raises(CommandError, match=r"events/3788741\.json, line \d+: not valid JSON"):
        run(str(tmp_path), *TURKEY_ITALY)
    assert (Match.objects.count(), MatchEvent.objects.count(), Player.objects.count()) == (0, 0, 0)


def test_an_event_without_a_type_is_named(shared_data, tmp_path):
    source = shared_data("statsbomb")
    for folder in ("events", "lineups"):
        (tmp_path / folder).mkdir()
        shutil.copy(source / folder / "3788741.json", tmp_path / folder / "3788741.json")
    events = json.loads((tmp_path / "events" / "3788741.json").read_text())
    del events[100]["type"]
    (tmp_path / "events" / "3788741.json").write_text(json.dumps(events))
    with pytest.raises(CommandError, match=r"3788741\.json.*event 101.*no type"):
        run(str(tmp_path), *TURKEY_ITALY)
    assert Match.objects.count() == 0
