"""import_betfair: Betfair Exchange Stream API files into markets, runners and sampled snapshots."""

import bz2
import datetime as dt
import gzip
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from ingestion.betfair import Sampling, StreamReader, read_stream_file
from ingestion.betfair_import import import_betfair_file
from ingestion.models import IngestionRun
from markets.exchange import book_at
from markets.models import ExchangeMarket, ExchangeRunner, ExchangeSnapshot
from matches.models import Competition, Match, Season, Team
from matches.records import RecordError

pytestmark = pytest.mark.django_db

MARKET = "1.200806927"
WINNER, LOSER = 228749, 2857977
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def at(published_ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=published_ms)


@pytest.fixture
def flumine(shared_data):
    return shared_data("betfair", "flumine", MARKET)


def table_counts():
    return (ExchangeMarket.objects.count(), ExchangeRunner.objects.count(), ExchangeSnapshot.objects.count())


# An independent reading of the recording: plain dictionaries, not the parser. The flumine
# file carries only marketDefinition, atb, atl, trd, ltp and tv.

def replay(path, until_ms=None):
    """Each runner's full back and lay ladders, ltp and tv after every message published at or before until_ms."""
    books = {}
    for line in open(path):
        message = json.loads(line)
        if until_ms is not None and message["pt"] > until_ms:
            break
        for change in message["mc"]:
            for runner in change.get("rc", []):
                book = books.setdefault(runner["id"], {"atb": {}, "atl": {}, "ltp": None, "tv": None})
                for side in ("atb", "atl"):
                    for price, size in runner.get(side, []):
                        if size == 0:
                            book[side].pop(price, None)
                        else:
                            book[side][price] = size
                book["ltp"] = runner.get("ltp", book["ltp"])
                book["tv"] = runner.get("tv", book["tv"])
    return books


def sampled_moments(path, pre_off_ms=60_000, in_play_ms=5_000):
    """(selection id, pt) of every book the module docstring's sampling rule keeps, worked out afresh."""
    books, status, in_play, runners = {}, None, False, []
    kept, pending, moments = {}, {}, set()

    def top(selection):
        book = books.get(selection, {"atb": {}, "atl": {}, "ltp": None, "tv": None})
        return (tuple(sorted(book["atb"].items(), reverse=True)[:3]), tuple(sorted(book["atl"].items())[:3]),
                book["ltp"], book["tv"])

    for line in open(path):
        message = json.loads(line)
        published = message["pt"]
        for change in message["mc"]:
            before = (status, in_play)
            if "marketDefinition" in change:
                status, in_play = change["marketDefinition"]["status"], change["marketDefinition"]["inPlay"]
                runners = [runner["id"] for runner in change["marketDefinition"]["runners"]]
            touched = []
            for runner in change.get("rc", []):
                book = books.setdefault(runner["id"], {"atb": {}, "atl": {}, "ltp": None, "tv": None})
                for side in ("atb", "atl"):
                    for price, size in runner.get(side, []):
                        if size == 0:
                            book[side].pop(price, None)
                        else:
                            book[side][price] = size
                book["ltp"] = runner.get("ltp", book["ltp"])
                book["tv"] = runner.get("tv", book["tv"])
                touched.append(runner["id"])
            if (status, in_play) != before:  # rule 3
                for selection in runners:
                    if selection in pending:
                        moments.add((selection, pending.pop(selection)[0]))
                    moments.add((selection, published))
                    kept[selection] = top(selection)
                continue
            window = (in_play, published // (in_play_ms if in_play else pre_off_ms))
            for selection in set(touched):  # rules 1 and 2
                now = top(selection)
                if now == (pending[selection][1] if selection in pending else kept.get(selection)):
                    continue
                if selection in pending and pending[selection][2] != window:
                    moment, book, _ = pending.pop(selection)
                    moments.add((selection, moment))
                    kept[selection] = book
                if now == kept.get(selection):
                    pending.pop(selection, None)
                else:
                    pending[selection] = (published, now, window)
    moments.update((selection, moment) for selection, (moment, _, _) in pending.items())  # rule 4
    return moments


def line_pt(path, number):
    with open(path) as lines:
        for index, line in enumerate(lines, 1):
            if index == number:
                return json.loads(line)["pt"]
    raise AssertionError(f"no line {number}")


@pytest.mark.realdata
def test_the_flumine_recording_imports_as_one_settled_market(flumine):
    summary = import_betfair_file(str(flumine))

    market = ExchangeMarket.objects.get()
    assert (market.market_id, market.status, market.in_play, market.market_type) == (MARKET, "CLOSED", True,
                                                                                      "MATCH_ODDS")
    assert (market.event_id, market.event_type_id, market.market_base_rate) == ("31573045", "4", 5.0)
    assert market.market_time == dt.datetime(2022, 7, 11, 11, 0, tzinfo=dt.UTC)
    assert market.settled_at == dt.datetime(2022, 7, 11, 14, 47, 1, tzinfo=dt.UTC)
    assert dict(market.runners.values_list("selection_id", "status")) == {WINNER: "WINNER", LOSER: "LOSER"}

    expected = sampled_moments(flumine)
    stored = {(selection, round((taken_at - EPOCH).total_seconds() * 1000)) for selection, taken_at in
              ExchangeSnapshot.objects.values_list("runner__selection_id", "taken_at")}
    assert stored == expected
    assert ExchangeSnapshot.objects.count() == len(expected) == summary.snapshots.created
    assert (summary.markets.created, summary.runners.created) == (1, 2)
    assert IngestionRun.objects.get(job="import_betfair").status == IngestionRun.Status.SUCCEEDED


@pytest.mark.realdata
def test_the_book_at_a_moment_is_the_replayed_book(flumine):
    import_betfair_file(str(flumine))
    market = ExchangeMarket.objects.get()
    first_suspension, in_play_flip, last_suspension = (line_pt(flumine, n) for n in (1010, 1013, 18523))
    # Just before each suspension (the last book before it is kept), at the off, and mid-game.
    for moment in (first_suspension - 1, in_play_flip, last_suspension - 1, line_pt(flumine, 9000)):
        books = {book.runner.selection_id: book for book in book_at(market, at(moment))}
        for selection in (WINNER, LOSER):
            book = books[selection]
            # The stored book is the exact book at its own time, and no later than the moment.
            assert book.taken_at <= at(moment)
            truth = replay(flumine, until_ms=round((book.taken_at - EPOCH).total_seconds() * 1000))[selection]
            best_back = max(truth["atb"]) if truth["atb"] else None
            best_lay = min(truth["atl"]) if truth["atl"] else None
            assert (book.best_back, book.best_back_size) == (best_back, truth["atb"].get(best_back))
            assert (book.best_lay, book.best_lay_size) == (best_lay, truth["atl"].get(best_lay))
            assert (book.last_traded_price, book.traded_volume) == (truth["ltp"], truth["tv"])
            if moment != line_pt(flumine, 9000):  # around a status change, the book at the moment itself
                assert replay(flumine, until_ms=moment)[selection]["atb"] == truth["atb"]
    at_the_off = {book.runner.selection_id: book for book in book_at(market, at(in_play_flip))}
    assert at_the_off[WINNER].in_play and at_the_off[WINNER].taken_at == at(in_play_flip)
    before = {book.runner.selection_id: book for book in book_at(market, at(in_play_flip - 1))}
    assert not before[WINNER].in_play


@pytest.mark.realdata
def test_importing_twice_changes_nothing(flumine, capsys):
    call_command("import_betfair", str(flumine))
    counts = table_counts()
    updated = list(ExchangeMarket.objects.values_list("updated_at", flat=True))
    call_command("import_betfair", str(flumine))
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert table_counts() == counts
    assert list(ExchangeMarket.objects.values_list("updated_at", flat=True)) == updated
    assert "markets 0 created, 0 updated, 1 unchanged" in out
    assert "runners 0 created, 0 updated, 2 unchanged" in out
    assert f"snapshots 0 created, 0 updated, {counts[2]} unchanged" in out
    assert out.endswith("unchanged")


@pytest.mark.realdata
def test_a_corrupt_line_names_file_and_line_and_writes_nothing(flumine, tmp_path):
    broken = tmp_path / MARKET
    with open(flumine) as source, open(broken, "w") as target:
        for number, line in enumerate(source, 1):
            target.write('{"op":"mcm","mc":[{"id": \n' if number == 500 else line)
    with pytest.raises(CommandError) as refused:
        call_command("import_betfair", str(broken))
    assert f"{broken}, line 500" in str(refused.value)
    assert "not JSON" in str(refused.value)
    assert table_counts() == (0, 0, 0)
    run = IngestionRun.objects.get(job="import_betfair")
    assert run.status == IngestionRun.Status.FAILED and "line 500" in run.error


@pytest.mark.realdata
def test_bz2_and_gz_downloads_read_as_the_plain_file(flumine, tmp_path):
    plain = read_stream_file(flumine)
    packed = tmp_path / f"{MARKET}.bz2"
    with open(flumine, "rb") as source, bz2.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    assert read_stream_file(packed).snapshots == plain.snapshots
    zipped = tmp_path / f"{MARKET}.gz"
    with open(flumine, "rb") as source, gzip.open(zipped, "wb") as target:
        shutil.copyfileobj(source, target)
    assert read_stream_file(zipped).snapshots == plain.snapshots
    assert len(plain.markets) == 1


# betfairlightweight's stream resources

@pytest.mark.realdata
def test_betfairlightweight_stream_files_parse(shared_data):
    folder = shared_data("betfair", "betfairlightweight")
    image = read_stream_file(folder / "streaming_mcm_SUB_IMAGE.json")
    (market,) = image.markets
    assert (market.market_id, market.market_type, market.status, len(market.runners)) == ("1.126235656", "WIN",
                                                                                         "OPEN", 7)
    best = {snapshot.selection_id: snapshot for snapshot in image.snapshots}
    assert best[11131804].back[0] == (2.54, 7.95) and best[11131804].lay[0] == (2.72, 8.8)  # batb/batl levels
    assert best[11131804].last_traded_price is None  # ltp 0: nothing traded yet

    resub = read_stream_file(folder / "streaming_mcm_RESUB_DELTA.json")
    assert len(resub.markets) == 43
    assert sum(not market.defined for market in resub.markets) == 41  # prices before any definition: accepted

    no_definition = read_stream_file(folder / "streaming_mcm_SUB_IMAGE_no_market_def.json")
    assert len(no_definition.markets) == 137
    assert all(snapshot.back or snapshot.lay or snapshot.traded_volume is not None
               for snapshot in no_definition.snapshots[:10])  # bdatb/bdatl display ladders

    basic = read_stream_file(folder / "BASIC-1.132153978")
    (race,) = basic.markets
    assert race.runners[(12115648, 0.0)].name == "Brother Mcgonagall"
    assert all(not snapshot.back and not snapshot.lay for snapshot in basic.snapshots)  # ltp only
    assert {snapshot.last_traded_price for snapshot in basic.snapshots} - {None}


@pytest.mark.realdata
def test_a_folder_imports_its_stream_files_and_names_the_others(shared_data, capsys):
    call_command("import_betfair", str(shared_data("betfair", "betfairlightweight")))
    out = capsys.readouterr().out
    assert "scores.json: skipped, not a stream file" in out
    assert ExchangeMarket.objects.filter(market_id="1.126235656").exists()
    assert ExchangeMarket.objects.count() == 1 + 43 + 1 + 137 + 1  # BASIC, RESUB_DELTA, SUB_IMAGE, …, UPDATE_md


# Small files written here

KICKOFF_MS = 1_714_831_200_000  # 2024-05-04 14:00 UTC


def definition(status="OPEN", in_play=False, **extra):
    return {
        "eventId": "33000001", "eventName": "Arsenal v Chelsea", "eventTypeId": "1", "name": "Match Odds",
        "marketType": "MATCH_ODDS", "marketTime": "2024-05-04T14:00:00.000Z", "marketBaseRate": 2,
        "status": status, "inPlay": in_play,
        "runners": [{"id": 1096, "name": "Arsenal", "sortPriority": 1, "status": "ACTIVE"},
                    {"id": 25422, "name": "Chelsea", "sortPriority": 2, "status": "ACTIVE"},
                    {"id": 58805, "name": "The Draw", "sortPriority": 3, "status": "ACTIVE"}],
        **extra,
    }


def mcm(pt, **change):
    return json.dumps({"op": "mcm", "clk": "x", "pt": pt, "mc": [{"id": "1.230000001", **change}]})


def football_lines():
    minute = 60_000
    return [
        json.dumps({"op": "connection", "connectionId": "002-1"}),
        json.dumps({"op": "status", "statusCode": "SUCCESS"}),
        mcm(KICKOFF_MS - 60 * minute, marketDefinition=definition(), img=True),
        mcm(KICKOFF_MS - 50 * minute, rc=[{"id": 1096, "atb": [[2.1, 500], [2.08, 300]], "atl": [[2.12, 400]]},
                                          {"id": 25422, "atb": [[3.6, 200]], "atl": [[3.7, 150]]},
                                          {"id": 58805, "atb": [[3.5, 100]], "atl": [[3.6, 90]]}]),
        json.dumps({"op": "mcm", "clk": "y", "pt": KICKOFF_MS - 45 * minute, "ct": "HEARTBEAT"}),
        mcm(KICKOFF_MS - 10 * minute, rc=[{"id": 1096, "atb": [[2.1, 0], [2.12, 250]], "atl": [[2.12, 0], [2.14, 80]],
                                           "trd": [[2.12, 1500]], "ltp": 2.12, "tv": 1500}]),
        mcm(KICKOFF_MS, marketDefinition=definition(in_play=True)),
        mcm(KICKOFF_MS + 95 * minute, marketDefinition=definition(
            "CLOSED", True, settledTime="2024-05-04T15:55:00.000Z",
            runners=[{"id": 1096, "name": "Arsenal", "sortPriority": 1, "status": "WINNER"},
                     {"id": 25422, "name": "Chelsea", "sortPriority": 2, "status": "LOSER"},
                     {"id": 58805, "name": "The Draw", "sortPriority": 3, "status": "LOSER"}])),
    ]


def write(tmp_path, lines, name="1.230000001"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def arsenal_chelsea():
    competition = Competition.objects.create(name="Premier League")
    season = Season.objects.create(competition=competition, name="2023/24")
    return Match.objects.create(competition=competition, season=season, kickoff=at(KICKOFF_MS),
                                home_team=Team.objects.create(name="Arsenal"),
                                away_team=Team.objects.create(name="Chelsea"))


def test_a_football_match_odds_market_links_to_its_match(tmp_path):
    match = arsenal_chelsea()
    summary = import_betfair_file(str(write(tmp_path, football_lines())))
    market = ExchangeMarket.objects.get()
    assert market.match == match and summary.linked == [f"1.230000001 -> match {match.pk}"]
    assert (market.event_name, market.market_name, market.market_base_rate) == ("Arsenal v Chelsea", "Match Odds", 2)
    assert dict(market.runners.values_list("name", "selection")) == {"Arsenal": "home", "Chelsea": "away",
                                                                      "The Draw": "draw"}
    assert dict(market.runners.values_list("name", "status")) == {"Arsenal": "WINNER", "Chelsea": "LOSER",
                                                                   "The Draw": "LOSER"}
    ten_before = {book.runner.name: book for book in book_at(market, at(KICKOFF_MS - 1))}
    assert ten_before["Arsenal"].back == [[2.12, 250.0], [2.08, 300.0]]
    assert ten_before["Arsenal"].lay == [[2.14, 80.0]]
    assert (ten_before["Arsenal"].last_traded_price, ten_before["Arsenal"].traded_volume) == (2.12, 1500.0)
    assert ten_before["Chelsea"].best_back == 3.6 and not ten_before["Chelsea"].in_play


def test_no_link_without_a_match_or_when_the_runners_are_other_teams(tmp_path):
    import_betfair_file(str(write(tmp_path, football_lines())))
    assert ExchangeMarket.objects.get().match is None
    ExchangeMarket.objects.all().delete()
    arsenal_chelsea()
    lines = [line.replace('"Chelsea", "sortPriority"', '"Spurs", "sortPriority"') for line in football_lines()]
    import_betfair_file(str(write(tmp_path, lines, "other")))
    assert ExchangeMarket.objects.get().match is None


def test_the_small_file_samples_as_the_rule_says(tmp_path):
    snapshots = read_stream_file(write(tmp_path, football_lines())).snapshots
    arsenal = [snapshot.published_ms - KICKOFF_MS for snapshot in snapshots if snapshot.selection_id == 1096]
    minute = 60_000
    # Definition, the first prices (the last of their window), the last book before the off, the off, the close.
    assert arsenal == [-60 * minute, -50 * minute, -10 * minute, 0, 95 * minute]
    draw = [snapshot.published_ms - KICKOFF_MS for snapshot in snapshots if snapshot.selection_id == 58805]
    assert draw == [-60 * minute, -50 * minute, 0, 95 * minute]


def test_books_within_a_window_keep_the_last(tmp_path):
    lines = [mcm(1_000_000_000_000 + offset, rc=[{"id": 7, "atb": [[2.0 + offset / 10_000, 10]]}])
             for offset in (0, 1000, 2000)]  # three changes within one 60-second window
    lines.append(mcm(1_000_000_000_000 + 120_000, rc=[{"id": 7, "atl": [[2.5, 5]]}]))
    snapshots = read_stream_file(write(tmp_path, lines)).snapshots
    assert [(s.published_ms - 1_000_000_000_000, s.back[0][0]) for s in snapshots] == [(2000, 2.2), (120_000, 2.2)]
    assert read_stream_file(write(tmp_path, lines), Sampling(0, 0)).snapshots[0].back == ((2.0, 10.0),)


@pytest.mark.parametrize("line, field, message", [
    ("not json at all", "", "not JSON"),
    ('[1, 2]', "", "not a stream message"),
    ('{"op": "orders"}', "op", "unknown op 'orders'"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": "1.230000001", "rc": [{"id": 1096, "atb": [[0.5, 10]]}]}]}',
     "mc[0].rc[0].atb[0]", "price 0.5 is outside"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": "1.230000001", "rc": [{"id": 1096, "atl": [[1001, 10]]}]}]}',
     "mc[0].rc[0].atl[0]", "price 1001 is outside"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": "1.230000001", "rc": [{"id": 1096, "atb": [[2.0, -3]]}]}]}',
     "mc[0].rc[0].atb[0]", "-3 is negative"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": "1.230000001", "rc": [{"id": 1096, "atb": "junk"}]}]}',
     "mc[0].rc[0].atb", "expected a list"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": "1.230000001", "rc": [{"id": 1096, "batb": [[0, 2.0]]}]}]}',
     "mc[0].rc[0].batb[0]", "expected [level, price, size]"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": "1.230000001", "rc": [{"id": 1096, "tv": NaN}]}]}',
     "", "not JSON"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": "1.230000001", "rc": [{"id": "x"}]}]}',
     "mc[0].rc[0].id", "expected a selection id"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": 5}]}', "mc[0].id", "expected a market id"),
    ('{"op": "mcm", "pt": 1714831200000, "mc": [{"id": "1.230000001", "marketDefinition": {"status": "ODD"}}]}',
     "mc[0].marketDefinition.status", "unknown market status"),
    ('{"op": "mcm", "mc": []}', "pt", "expected the publish time"),
])
def test_malformed_lines_are_refused_naming_file_line_and_field(tmp_path, line, field, message):
    lines = football_lines()[:4] + [line] + football_lines()[4:]
    path = write(tmp_path, lines)
    with pytest.raises(RecordError) as refused:
        list(StreamReader(path))
    text = str(refused.value)
    assert text.startswith(f"{path}, line 5") and message in text
    if field:
        assert f"line 5, {field}:" in text


def test_a_price_of_half_is_refused_by_the_command_naming_its_line(tmp_path):
    lines = football_lines()
    lines[5] = lines[5].replace("2.14", "0.5")
    path = write(tmp_path, lines)
    with pytest.raises(CommandError, match=rf"{path}, line 6, mc\[0\]\.rc\[0\]\.atl\[1\]: price 0.5"):
        call_command("import_betfair", str(path))
    assert table_counts() == (0, 0, 0)


def test_prices_before_any_definition_create_the_runner(tmp_path):
    path = write(tmp_path, [mcm(KICKOFF_MS, rc=[{"id": 42, "atb": [[1.5, 20]]}])] + football_lines()[2:])
    import_betfair_file(str(path))
    runner = ExchangeRunner.objects.get(selection_id=42)
    assert (runner.name, runner.status) == ("", "ACTIVE")
    assert ExchangeRunner.objects.count() == 4
