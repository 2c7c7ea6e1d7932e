"""The admin, walked as a curator would: every changelist, add page and change page."""

import datetime as dt
import decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from ingestion.models import IngestionRun, RawPayload
from markets.models import (Bookmaker, ExchangeMarket, ExchangeRunner, ExchangeSnapshot, OddsQuote, Prediction,
                            RatingModel)
from matches.aggregates import recompute_team_seasons
from matches.models import (
    Competition,
    CompetitionExternalId,
    Lineup,
    LineupEntry,
    Match,
    MatchEvent,
    MatchExternalId,
    MatchWeather,
    PointsAdjustment,
    XgModel,
    Season,
    SeasonExternalId,
    Source,
    Team,
    TeamAlias,
    TeamExternalId,
    TeamMatchStats,
    TeamSeasonStats,
    Venue,
    VenueExternalId,
)
from fantasy.models import FplPlayerFixture, Game, Optimization, Projection, ProjectionSet, Slate, SlatePlayer
from trading.models import (Backtest, BacktestBet, PaperBet, PaperPortfolio, PaperStrategy, Strategy,
                            StrategyVersion)
from players.models import Player, PlayerAlias, PlayerAvailability, PlayerExternalId, PlayerMatchStats

OUR_APPS = {"matches", "players", "markets", "ingestion", "trading", "fantasy"}
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
EVENTS = 400
# A pass, carry or pressure most of the time; every 25th event a key one.
KINDS = [MatchEvent.Kind.PASS, MatchEvent.Kind.CARRY, MatchEvent.Kind.BALL_RECEIPT, MatchEvent.Kind.PRESSURE]
KEY_EVERY = 25


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def curator_client(client, django_user_model):
    """A logged-in superuser (no password: hashing one costs more than the test)."""
    client.force_login(django_user_model.objects.create_superuser("curator", "curator@example.org", None))
    return client


@pytest.fixture
def season_of_data(db):
    """One row of every model, and a match with a few hundred events."""
    league = Competition.objects.create(name="Premier League", country="England")
    CompetitionExternalId.objects.create(competition=league, source=Source.FOOTBALL_DATA_UK, external_id="E0")
    season = Season.objects.create(competition=league, name="2023/24")
    SeasonExternalId.objects.create(season=season, source=Source.STATSBOMB, external_id="281")
    etihad = Venue.objects.create(name="Etihad Stadium", city="Manchester")
    VenueExternalId.objects.create(venue=etihad, source=Source.API_FOOTBALL, external_id="555")
    city = Team.objects.create(name="Manchester City", venue=etihad, country="England")
    arsenal = Team.objects.create(name="Arsenal", country="England")
    TeamAlias.objects.create(team=city, alias="Man City", source=Source.FOOTBALL_DATA_UK)
    TeamExternalId.objects.create(team=city, source=Source.STATSBOMB, external_id="746")
    players = [Player.objects.create(name=f"Player {n}", position=Player.Position.MIDFIELDER) for n in range(22)]
    PlayerAlias.objects.create(player=players[0], alias="Number Zero")
    PlayerExternalId.objects.create(player=players[0], source=Source.STATSBOMB, external_id="3089")
    match = Match.objects.create(
        competition=league, season=season, kickoff=dt.datetime(2024, 3, 31, 15, 30, tzinfo=dt.UTC),
        venue=etihad, home_team=city, away_team=arsenal, status=Match.Status.FINISHED,
        home_score=0, away_score=0, last_seq=EVENTS,
    )
    MatchExternalId.objects.create(match=match, source=Source.STATSBOMB, external_id="3943043")
    MatchEvent.objects.bulk_create(
        MatchEvent(
            match=match, seq=seq, source=Source.STATSBOMB, external_id=f"event-{seq}",
            kind=MatchEvent.Kind.YELLOW_CARD if seq % KEY_EVERY == 0 else KINDS[seq % len(KINDS)],
            period=1 if seq <= EVENTS // 2 else 2, minute=seq * 90 // EVENTS, team=(city, arsenal)[seq % 2],
            player=players[seq % 22], related_player=players[(seq + 1) % 22], raw_type="Pass",
        )
        for seq in range(1, EVENTS + 1)
    )
    for team, squad in ((city, players[:11]), (arsenal, players[11:])):
        lineup = Lineup.objects.create(match=match, team=team, formation="4-3-3")
        for number, player in enumerate(squad, start=1):
            LineupEntry.objects.create(lineup=lineup, player=player, shirt_number=number, is_starter=True)
        TeamMatchStats.objects.create(match=match, team=team, shots=10, shots_on_target=4, possession=50)
    PointsAdjustment.objects.create(season=season, team=arsenal, points=-2, reason="Financial rules")
    MatchWeather.objects.create(match=match, kind=MatchWeather.Kind.OBSERVED, valid_at=match.kickoff,
                                temperature_c=11.5, precipitation_mm=0.2, wind_speed_kmh=14, weather_code=61,
                                fetched_at=match.kickoff + dt.timedelta(days=6))
    PlayerAvailability.objects.create(player=players[1], team=city, source=Source.API_FOOTBALL, status="injured",
                                      reason="Knee Injury", valid_from=match.kickoff - dt.timedelta(days=2),
                                      observed_at=match.kickoff - dt.timedelta(days=1))
    PlayerMatchStats.objects.create(player=players[0], match=match, team=city, source=Source.FPL, minutes=90,
                                    started=True, xg=0.4, xa=0.1, clean_sheet=True, goals_conceded=0)
    FplPlayerFixture.objects.create(player=players[0], match=match, season=season, gameweek=31,
                                    price=decimal.Decimal("6.5"), total_points=3, bps=12, expected_points=3.2)
    recompute_team_seasons([season])  # TeamSeasonStats: derived, shown read-only
    bet365 = Bookmaker.objects.create(code="B365", name="Bet365")
    OddsQuote.objects.create(match=match, bookmaker=bet365, market=OddsQuote.Market.MATCH_ODDS, line=decimal.Decimal(0),
                             phase=OddsQuote.Phase.CLOSING, home=1.8, draw=3.9, away=4.2, source=Source.FOOTBALL_DATA_UK)
    rating = RatingModel.objects.create(competition=match.competition, kind=RatingModel.Kind.DIXON_COLES, version=1,
                                        parameters={"home_advantage": 0.25},
                                        metrics={"validation": {"model": {"rps": 0.19}, "market": {"rps": 0.18}}})
    Prediction.objects.create(match=match, model=rating, home=0.5, draw=0.3, away=0.2, over_2_5=0.55)
    XgModel.objects.create(version=1, is_active=True, feature_names=["distance"],
                           coefficients={"intercept": -1.0, "distance": -0.05}, penalty_rate=0.77,
                           metrics={"held_out": {"brier": 0.06, "provider_brier": 0.05}})
    exchange = ExchangeMarket.objects.create(market_id="1.234", market_type="MATCH_ODDS", status="OPEN", match=match,
                                             market_base_rate=5, market_time=match.kickoff)
    runner = ExchangeRunner.objects.create(market=exchange, selection_id=47999, name="Manchester City",
                                           selection="home", sort_priority=1)
    ExchangeSnapshot.objects.create(runner=runner, taken_at=match.kickoff, status="OPEN", back=[[1.9, 120.0]],
                                    lay=[[1.92, 80.0]], best_back=1.9, best_lay=1.92, last_traded_price=1.91,
                                    traded_volume=5000)
    definition = {"rule": "back", "selection": "home", "price": "closing", "bookmaker": "B365"}
    version = StrategyVersion.objects.create(strategy=Strategy.objects.create(name="Homes"), version=1,
                                             definition=definition)
    backtest = Backtest.objects.create(strategy_version=version, definition=definition, status=Backtest.Status.DONE)
    BacktestBet.objects.create(backtest=backtest, match=match, market="1x2", selection="home", bookmaker="B365",
                               price=1.8, stake=1, result="lost", profit=-1, bankroll_after=99)
    portfolio = PaperPortfolio.objects.create(name="Site")
    PaperStrategy.objects.create(portfolio=portfolio, strategy_version=version)
    PaperBet.objects.create(portfolio=portfolio, strategy_version=version, match=match, market="1x2",
                            selection="home", bookmaker="B365", price=1.8, stake=1, requested_stake=1,
                            price_seen_at=match.kickoff, placed_at=match.kickoff)
    slate = Slate.objects.create(name="Sunday main", season=season, starts_at=match.kickoff)
    SlatePlayer.objects.create(slate=slate, external_id="123", name="Player 0", positions="M/F", salary=7400,
                               team_abbrev="MCI", player=players[0], team=city, match=match)
    projections = ProjectionSet.objects.create(game=Game.FPL, season=season, gameweek=31)
    Projection.objects.create(projection_set=projections, player=players[0], match=match, points=5.1)
    Optimization.objects.create(kind=Optimization.Kind.DK_LINEUPS, slate=slate, settings={"lineups": 1},
                                status=Optimization.Status.DONE, progress=100, result={"lineups": []})
    run = IngestionRun.objects.create(source=Source.API_FOOTBALL, job="matches", target="PL 2023",
                                      status=IngestionRun.Status.SUCCEEDED, created=1)
    RawPayload.store(provider=Source.API_FOOTBALL, endpoint="/fixtures", params={"league": "39"},
                     url="https://v3.football.api-sports.io/fixtures?league=39", status_code=200,
                     body=b'{"response": []}', run=run)
    return match


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_admin_page_opens(curator_client, django_user_model, season_of_data, model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = django_user_model.objects.get(username="curator")

    assert curator_client.get(url(model, "changelist")).status_code == 200
    if model_admin.has_add_permission(request):
        assert curator_client.get(url(model, "add")).status_code == 200
    obj = model._default_manager.first()
    if model._meta.app_label in OUR_APPS:
        assert obj is not None, f"the fixture builds no {model._meta.label}"
    if obj is not None:
        assert curator_client.get(url(model, "change", obj.pk)).status_code == 200


def test_match_page_shows_key_events_only_in_bounded_queries(
    curator_client, season_of_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        page = curator_client.get(url(Match, "change", season_of_data.pk))

    assert page.status_code == 200
    events = next(f for f in page.context["inline_admin_formsets"] if f.opts.model is MatchEvent)
    assert len(events.formset.forms) == EVENTS // KEY_EVERY
    assert f"?match__id__exact={season_of_data.pk}" in page.text


def test_match_event_list_filters_by_match(curator_client, season_of_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        page = curator_client.get(url(MatchEvent, "changelist") + f"?match__id__exact={season_of_data.pk}")
    assert page.status_code == 200
    assert page.context["cl"].result_count == EVENTS
    assert len(page.context["cl"].result_list) == 100  # paginated


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        (Team, "q=man+city", 1),  # through the alias
        (Team, "kind__exact=club", 2),
        (Player, "q=number+zero", 1),
        (Player, "position__exact=MF", 22),
        (Match, "q=arsenal", 1),
        (Match, "status__exact=finished", 1),
        (Match, "kickoff__year=2024&kickoff__month=3", 1),
        (Match, "kickoff__year=2023", 0),
        (MatchEvent, "kind__exact=yellow_card", EVENTS // KEY_EVERY),
        (OddsQuote, "q=b365", 1),
        (IngestionRun, "status__exact=succeeded", 1),
        (TeamExternalId, "q=746", 1),
    ],
)
def test_search_and_filters(curator_client, season_of_data, model, query, expected):
    page = curator_client.get(url(model, "changelist") + "?" + query)
    assert page.status_code == 200
    assert page.context["cl"].result_count == expected


def test_changelists_do_not_query_per_row(curator_client, season_of_data, django_assert_max_num_queries):
    for model in (LineupEntry, MatchEvent, TeamMatchStats, TeamSeasonStats, Lineup, OddsQuote, Season,
                  PointsAdjustment):
        with django_assert_max_num_queries(15):
            assert curator_client.get(url(model, "changelist")).status_code == 200


def test_provenance_is_read_only(curator_client, season_of_data):
    event = season_of_data.events.first()
    page = curator_client.get(url(MatchEvent, "change", event.pk))
    form_fields = page.context["adminform"].form.fields
    assert not {"source", "external_id", "raw_type", "details", "recorded_at", "seq", "match"} & set(form_fields)
    assert {"kind", "player", "minute"} <= set(form_fields)

    quote = OddsQuote.objects.get()
    assert "source" not in curator_client.get(url(OddsQuote, "change", quote.pk)).context["adminform"].form.fields
    assert "source" in curator_client.get(url(OddsQuote, "add")).context["adminform"].form.fields


def test_ingestion_runs_and_events_cannot_be_added_or_edited(curator_client, season_of_data):
    run = IngestionRun.objects.get()
    assert curator_client.get(url(IngestionRun, "add")).status_code == 403
    assert curator_client.get(url(MatchEvent, "add")).status_code == 403
    curator_client.post(url(IngestionRun, "change", run.pk), {"job": "edited"})
    run.refresh_from_db()
    assert run.job == "matches"


def test_team_season_statistics_are_read_only(curator_client, season_of_data):
    row = TeamSeasonStats.objects.get(team__name="Arsenal")
    assert curator_client.get(url(TeamSeasonStats, "add")).status_code == 403
    page = curator_client.get(url(TeamSeasonStats, "change", row.pk))
    assert page.status_code == 200 and not page.context["adminform"].form.fields
    curator_client.post(url(TeamSeasonStats, "change", row.pk), {"played": 9})
    row.refresh_from_db()
    assert (row.played, row.drawn, row.clean_sheets) == (1, 1, 1)


def test_points_adjustment_entered_on_season_page(curator_client, season_of_data):
    page = curator_client.get(url(Season, "change", season_of_data.season_id))
    assert any(f.opts.model is PointsAdjustment for f in page.context["inline_admin_formsets"])


@pytest.mark.parametrize("staff", [False, None], ids=["not-staff", "anonymous"])
def test_non_staff_are_sent_to_login(client, django_user_model, staff):
    if staff is not None:
        client.force_login(django_user_model.objects.create_user("fan", password=None, is_staff=staff))
    page = client.get(url(Team, "changelist"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("admin:login"))


def test_a_curators_fix_of_a_scorer_shows_on_the_match_page_that_was_kept(curator_client):
    """The match page keeps its regions per version of the match; an edit in the admin moves it."""
    from django.forms.models import model_to_dict

    from matches.tests.builders import build_match

    built = build_match(status=Match.Status.FINISHED)
    page = built.match.get_absolute_url()
    assert "Ten" in curator_client.get(page).content.decode()  # drawn once, kept
    goal = built.match.events.get(kind=MatchEvent.Kind.GOAL, player__known_as="Ten")
    editable = ("kind", "period", "minute", "second", "added_minute", "team", "player", "related_player", "x", "y",
                "end_x", "end_y", "xg", "model_xg", "outcome", "body_part", "situation", "source_index")
    form = {key: "" if value is None else value for key, value in model_to_dict(goal, fields=editable).items()}
    scorer = Player.objects.create(name="Corrected Scorer", known_as="Corrected")
    response = curator_client.post(url(MatchEvent, "change", goal.pk), {**form, "player": scorer.pk})

    assert response.status_code == 302, response.content.decode()[:2000]
    events = curator_client.get(page).content.decode().split('id="events"')[1].split("</section>")[0]
    assert "Corrected" in events and ">Ten<" not in events
