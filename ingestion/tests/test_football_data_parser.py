"""football-data.co.uk CSV parser: real seasons, the Frictionless copy, and bad files."""

import datetime as dt
from decimal import Decimal

import pytest

from ingestion.football_data import BOOKMAKERS, bookmakers_for, parse_csv
from matches.records import RecordError

UTC = dt.UTC
HEADER = "Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,HTHG,HTAG,HTR,Referee,HS,AS,B365H,B365D,B365A"
ROW = "E0,11/08/2023,20:00,Burnley,Man City,0,3,A,0,2,A,C Pawson,6,17,8,5.5,1.33"


def csv_text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def quote(record, code, market, selection, phase, line=None):
    """The one price of a record for a bookmaker, market, selection and phase."""
    found = [odds for odds in record.odds
             if (odds.bookmaker_code, odds.market, odds.selection, odds.phase) == (code, market, selection, phase)
             and (line is None or odds.line == line)]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def season_2324(shared_data):
    path = shared_data("football-data", "E0", "2324.csv")
    return parse_csv(path)


@pytest.mark.realdata
def test_2023_24_season_has_380_finished_matches(season_2324):
    assert len(season_2324) == 380
    assert {record.status for record in season_2324} == {"finished"}
    assert {record.season_name for record in season_2324} == {"2023/24"}
    assert {record.competition.external_id for record in season_2324} == {"E0"}
    assert season_2324[0].competition.name == "Premier League"
    assert len({record.external_id for record in season_2324}) == 380


@pytest.mark.realdata
def test_opening_match_burnley_0_3_man_city(season_2324):
    opener = season_2324[0]
    assert (opener.home.name, opener.away.name) == ("Burnley", "Man City")
    assert (opener.home_score, opener.away_score) == (0, 3)
    assert (opener.home_ht_score, opener.away_ht_score) == (0, 2)
    assert opener.kickoff == dt.datetime(2023, 8, 11, 19, 0, tzinfo=UTC)  # 20:00 BST
    assert opener.referee == "C Pawson"
    assert (opener.home_stats.shots, opener.away_stats.shots) == (6, 17)
    assert (opener.home_stats.shots_on_target, opener.away_stats.shots_on_target) == (1, 8)
    assert (opener.home_stats.red_cards, opener.away_stats.red_cards) == (1, 0)
    assert opener.external_id == "E0:2023-08-11:Burnley:Man City"
    assert opener.origin.line == 2


@pytest.mark.realdata
def test_opening_match_odds_every_bookmaker_market_and_phase(season_2324):
    opener = season_2324[0]
    assert quote(opener, "PS", "1x2", "home", "closing").price == 9.62  # PSCH
    assert quote(opener, "B365", "1x2", "home", "pre_match").price == 8.0
    assert quote(opener, "Avg", "1x2", "draw", "closing").price == 5.45
    over = quote(opener, "B365", "over_under", "over", "pre_match")
    assert (over.price, over.line) == (1.67, Decimal("2.5"))
    assert quote(opener, "PS", "over_under", "under", "closing").price == 2.35  # PC<2.5
    handicap = quote(opener, "B365", "asian_handicap", "home", "pre_match")
    assert (handicap.price, handicap.line) == (1.86, Decimal("1.5"))  # AHh 1.5
    assert quote(opener, "PS", "asian_handicap", "away", "closing").line == Decimal("1.5")  # AHCh
    # MaxCAHH/MaxCAHA are empty for this match: skipped, not zero.
    assert not [odds for odds in opener.odds if odds.bookmaker_code == "Max" and odds.market == "asian_handicap"
                and odds.phase == "closing"]
    codes = {odds.bookmaker_code for odds in opener.odds}
    assert codes == {"B365", "BW", "IW", "PS", "WH", "VC", "Max", "Avg"}
    keys = [(o.bookmaker_code, o.market, o.line, o.selection, o.phase) for o in opener.odds]
    assert len(keys) == len(set(keys))
    assert bookmakers_for([opener])["PS"] == ("Pinnacle", False)
    assert bookmakers_for([opener])["Max"] == ("Market maximum", True)


@pytest.mark.realdata
@pytest.mark.parametrize("season,name", [
    ("2021", "2020/21"), ("2122", "2021/22"), ("2223", "2022/23"), ("2324", "2023/24"),
])
def test_every_season_file_parses(shared_data, season, name):
    records = parse_csv(shared_data("football-data", "E0", f"{season}.csv"))
    assert len(records) == 380
    assert {record.season_name for record in records} == {name}
    assert all(record.odds for record in records)


@pytest.mark.realdata
def test_2020_21_opener_kicks_off_at_uk_lunchtime(shared_data):
    opener = parse_csv(shared_data("football-data", "E0", "2021.csv"))[0]
    assert (opener.home.name, opener.away.name, opener.home_score, opener.away_score) == ("Fulham", "Arsenal", 0, 3)
    assert opener.kickoff == dt.datetime(2020, 9, 12, 11, 30, tzinfo=UTC)  # 12:30 BST
    assert quote(opener, "PS", "asian_handicap", "home", "closing").line == Decimal("0.75")


@pytest.mark.realdata
def test_a_zero_price_is_an_uncollected_price(shared_data):
    """2021/22 line 168 (Newcastle 0-4 Man City) has Bet365's closing over/under as 0,0: skipped, the rest kept."""
    record = next(r for r in parse_csv(shared_data("football-data", "E0", "2122.csv")) if r.origin.line == 168)
    assert not [odds for odds in record.odds if odds.bookmaker_code == "B365" and odds.market == "over_under"
                and odds.phase == "closing"]
    assert quote(record, "PS", "over_under", "over", "closing").price == 1.39


def test_a_byte_order_mark_is_ignored():
    records = parse_csv("\ufeff" + csv_text(HEADER, ROW), path_label="E0.csv")
    assert records[0].competition.external_id == "E0"
    assert records[0].home.name == "Burnley"
    from_bytes = parse_csv(("\ufeff" + csv_text(HEADER, ROW)).encode(), path_label="E0.csv")
    assert from_bytes[0].external_id == records[0].external_id


def test_columns_are_read_by_name_not_position():
    header = "AwayTeam,HomeTeam,FTAG,FTHG,Date,Div"
    records = parse_csv(csv_text(header, "Man City,Burnley,3,0,11/08/2023,E0"), path_label="E0.csv")
    record = records[0]
    assert (record.home.name, record.away.name, record.home_score, record.away_score) == ("Burnley", "Man City", 0, 3)
    assert record.home_stats is None and record.odds == []


def test_blank_trailing_rows_are_skipped():
    text = csv_text(HEADER, ROW, "," * 16, "", ",,,")
    assert len(parse_csv(text, path_label="E0.csv")) == 1


def test_older_betbrain_columns_short_dates_and_no_time():
    header = ("Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,Bb1X2,BbMxH,BbAvH,BbMxD,BbAvD,BbMxA,BbAvA,"
              "BbOU,BbMx>2.5,BbAv>2.5,BbMx<2.5,BbAv<2.5,BbAH,BbAHh,BbMxAHH,BbAvAHH,BbMxAHA,BbAvAHA,PSCH,PSCD,PSCA")
    row = ("E0,13/08/11,Blackburn,Wolves,1,2,37,2.22,2.13,3.43,3.29,3.75,3.52,"
           "37,2.06,1.96,1.89,1.82,18,-0.5,2.1,2.0,1.9,1.85,2.2,3.4,3.6")
    record = parse_csv(csv_text(header, row), path_label="E0_1112.csv")[0]
    assert record.season_name == "2011/12"
    # No Time column: 15:00 in the competition's zone (BST in August).
    assert record.kickoff == dt.datetime(2011, 8, 13, 14, 0, tzinfo=UTC)
    assert quote(record, "Max", "1x2", "home", "pre_match").price == 2.22
    assert quote(record, "Avg", "over_under", "under", "pre_match").price == 1.82
    handicap = quote(record, "Max", "asian_handicap", "home", "pre_match")
    assert (handicap.price, handicap.line) == (2.1, Decimal("-0.5"))
    assert quote(record, "PS", "1x2", "away", "closing").price == 3.6
    assert {odds.bookmaker_code for odds in record.odds} == {"Max", "Avg", "PS"}  # counts (Bb1X2, BbAH) are no prices


def test_bookmakers_are_discovered_from_the_header():
    header = ("Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,VCH,VCD,VCA,VCCH,VCCD,VCCA,"
              "XYZH,XYZD,XYZA,XYZCH,XYZCD,XYZCA,XYZ>2.5,XYZ<2.5")
    row = "E0,11/08/2023,Burnley,Man City,0,3,9,5,1.3,9.5,5.2,1.3,8,5,1.3,8.5,5.1,1.35,1.7,2.1"
    record = parse_csv(csv_text(header, row), path_label="E0.csv")[0]
    assert quote(record, "VC", "1x2", "home", "pre_match").price == 9
    assert quote(record, "VC", "1x2", "home", "closing").price == 9.5
    assert quote(record, "XYZ", "1x2", "away", "closing").price == 1.35
    assert quote(record, "XYZ", "over_under", "over", "pre_match").line == Decimal("2.5")
    assert bookmakers_for([record])["XYZ"] == ("XYZ", False)
    assert "XYZ" not in BOOKMAKERS


@pytest.mark.parametrize("missing", ["Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG"])
def test_a_missing_required_column_is_named(missing):
    columns = HEADER.split(",")
    values = ROW.split(",")
    index = columns.index(missing)
    del columns[index], values[index]
    with pytest.raises(RecordError) as error:
        parse_csv(csv_text(",".join(columns), ",".join(values)), path_label="E0.csv")
    assert missing in str(error.value)
    assert error.value.origin.line == 1


def test_a_truncated_last_row_names_its_line():
    text = csv_text(HEADER, ROW, ROW.replace("Burnley", "Luton")[:30])
    with pytest.raises(RecordError) as error:
        parse_csv(text, path_label="E0.csv")
    assert error.value.origin.line == 3
    assert "E0.csv, line 3" in str(error.value)
    assert "truncated" in str(error.value)


@pytest.mark.parametrize("home_goals,message", [("x", "not a whole number"), ("-1", "negative")])
def test_bad_goals_name_line_and_column(home_goals, message):
    bad = ROW.replace("Man City,0,3", f"Man City,{home_goals},3")
    with pytest.raises(RecordError) as error:
        parse_csv(csv_text(HEADER, ROW.replace("Burnley", "Luton"), bad), path_label="E0.csv")
    assert error.value.origin.line == 3
    assert "'FTHG'" in str(error.value) and message in str(error.value)


@pytest.mark.parametrize("date", ["31/02/2023", "2023/08/11", "yesterday", ""])
def test_a_bad_date_names_the_line(date):
    with pytest.raises(RecordError) as error:
        parse_csv(csv_text(HEADER, ROW.replace("11/08/2023", date)), path_label="E0.csv")
    assert error.value.origin.line == 2
    assert "'Date'" in str(error.value)


@pytest.mark.parametrize("price", ["abc", "1", "0.5", "-2"])
def test_a_bad_price_names_the_column(price):
    with pytest.raises(RecordError) as error:
        parse_csv(csv_text(HEADER, ROW.replace(",8,5.5,", f",{price},5.5,")), path_label="E0.csv")
    assert error.value.origin.line == 2
    assert "'B365H'" in str(error.value)


def test_the_same_match_twice_is_an_error():
    with pytest.raises(RecordError) as error:
        parse_csv(csv_text(HEADER, ROW, ROW), path_label="E0.csv")
    assert error.value.origin.line == 3 and "line 2" in error.value.message


def test_a_half_time_score_above_the_full_time_score_is_refused():
    with pytest.raises(RecordError) as error:
        parse_csv(csv_text(HEADER, ROW.replace("0,3,A,0,2", "0,1,A,0,2")), path_label="E0.csv")
    assert error.value.origin.line == 2


def test_a_file_without_div_needs_a_division():
    text = csv_text("Date,HomeTeam,AwayTeam,FTHG,FTAG", "2022-08-05,Ein Frankfurt,Bayern Munich,1,6")
    with pytest.raises(RecordError, match="Div"):
        parse_csv(text, path_label="season-2223.csv")
    assert parse_csv(text, path_label="season-2223.csv", division="D1")[0].competition.external_id == "D1"
    assert parse_csv(text, path_label="datasets/bundesliga/season-2223.csv")[0].competition.external_id == "D1"


@pytest.mark.realdata
def test_frictionless_bundesliga_copy_keys_matches_like_the_raw_files(shared_data):
    records = parse_csv(shared_data("football-datasets", "bundesliga", "season-2223.csv"))
    assert len(records) == 306
    assert {record.season_name for record in records} == {"2022/23"}
    opener = records[0]
    assert opener.competition.external_id == "D1" and opener.competition.name == "Bundesliga"
    assert (opener.home.name, opener.away.name, opener.home_score, opener.away_score) == (
        "Ein Frankfurt", "Bayern Munich", 1, 6)
    assert (opener.home_ht_score, opener.away_ht_score) == (0, 5)
    assert opener.home_stats.shots == 8 and opener.away_stats.shots == 23
    assert opener.odds == [] and opener.referee == ""
    # No time in this copy: 15:00 Berlin time (CEST).
    assert opener.kickoff == dt.datetime(2022, 8, 5, 13, 0, tzinfo=UTC)
    # The same match in the site's own format gets the same key.
    raw = parse_csv(csv_text("Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG",
                             "D1,05/08/2022,19:30,Ein Frankfurt,Bayern Munich,1,6"), path_label="D1.csv")[0]
    assert raw.external_id == opener.external_id == "D1:2022-08-05:Ein Frankfurt:Bayern Munich"
    assert raw.kickoff == dt.datetime(2022, 8, 5, 18, 30, tzinfo=UTC)  # the site's times are UK time


@pytest.mark.realdata
@pytest.mark.parametrize("season", ["1819", "1920", "2021", "2122", "2223"])
def test_every_frictionless_season_parses(shared_data, season):
    records = parse_csv(shared_data("football-datasets", "bundesliga", f"season-{season}.csv"))
    assert len(records) == 306
    assert {record.season_name for record in records} == {f"20{season[:2]}/{season[2:]}"}
