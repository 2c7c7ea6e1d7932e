"""Our expected-goals model: geometry, freeze frames, the fitter, the penalty rule, train_xg and evaluate_xg.

Real-data tests read ../shared/data/statsbomb (seven matches, under 200 shots: enough to
check the model learns the obvious, not to match StatsBomb's own model) and
../shared/data/statsbomb-pl1516 (40 Premier League matches, 1,030 shots with freeze frames:
enough to judge it against StatsBomb's xG); the rest build their StatsBomb-layout folders here.
"""

import json
import math
import re
from io import StringIO

import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from matches import xg
from matches.models import MatchEvent, XgModel
from matches.tests.builders import build_match, event

CONTRACT = re.compile(r"^xg brier=\d\.\d{4} provider_brier=\d\.\d{4} shots=\d+$")


def frame_x(yards_from_goal_line: float) -> float:
    """Our frame's x for a point this many (StatsBomb) yards in front of the goal."""
    return 100 - yards_from_goal_line * 100 / 120


def foot(x, y=50.0, **fields):
    return xg.Shot(x, y, body_part="Right Foot", situation="Open Play", **fields)


# A StatsBomb-layout folder built here


def shot_event(index, location, goal, *, body_part="Right Foot", shot_type="Open Play", period=1,
               play_pattern="Regular Play", statsbomb_xg=0.1, **shot_fields):
    return {
        "id": f"shot-{index}", "index": index, "period": period, "minute": 10, "second": 0,
        "type": {"id": 16, "name": "Shot"}, "play_pattern": {"id": 1, "name": play_pattern},
        "location": location,
        "shot": {"statsbomb_xg": statsbomb_xg, "outcome": {"name": "Goal" if goal else "Saved"},
                 "body_part": {"name": body_part}, "type": {"name": shot_type}, **shot_fields},
    }


def simulated_folder(root, matches=6, shots_per_match=40, seed=1, first_match_id=1000):
    """Open-play shots whose goals follow a known distance/angle model (that model is "StatsBomb's" xG),
    one penalty per match and a shoot-out kick that must be ignored."""
    rng = np.random.default_rng(seed)
    (root / "events").mkdir(parents=True)
    for match_id in range(first_match_id, first_match_id + matches):
        events = [{"id": "start", "index": 1, "period": 1, "minute": 0, "type": {"name": "Half Start"}}]
        for number in range(shots_per_match):
            sx, sy = 120 - rng.uniform(3, 35), rng.uniform(20, 60)
            frame = xg.Shot(sx * 100 / 120, sy * 100 / 80)
            distance, angle = xg.goal_geometry(frame.x, frame.y)
            p = float(1 / (1 + math.exp(-(-1.0 - 0.12 * distance + 1.2 * angle))))
            events.append(shot_event(number + 2, [sx, sy], rng.random() < p, statsbomb_xg=p))
        events.append(shot_event(900, [108.0, 40.0], True, shot_type="Penalty", statsbomb_xg=0.78))
        events.append(shot_event(901, [108.0, 40.0], False, shot_type="Penalty", period=5, statsbomb_xg=0.78))
        (root / "events" / f"{match_id}.json").write_text(json.dumps(events))
    return root


@pytest.fixture
def folder(tmp_path):
    return simulated_folder(tmp_path / "open-data")


# Geometry and features


def test_geometry_is_in_metres_with_the_real_goal_mouth():
    distance, angle = xg.goal_geometry(frame_x(12), 50)  # the penalty spot: 12 yards, central

    assert distance == pytest.approx(12 * 0.9144)
    assert angle == pytest.approx(2 * math.atan(8 * 0.9144 / 2 / (12 * 0.9144)))  # 36.9 degrees
    _, beside_post = xg.goal_geometry(100, 40)  # on the goal line, outside the post
    _, wide = xg.goal_geometry(frame_x(12), 10)
    assert beside_post == pytest.approx(0, abs=1e-9) and wide < angle


def test_features_read_situations_as_the_statsbomb_importer_stores_them():
    rows = xg.feature_matrix([
        xg.Shot(90, 50, "Head", "Open Play", {"play_pattern": "From Corner", "first_time": True}),
        xg.Shot(80, 50, "Left Foot", "Free Kick", {"play_pattern": "From Free Kick"}),
        xg.Shot(85, 50, "Right Foot", "Open Play", {"play_pattern": "From Counter", "under_pressure": True}),
    ])
    named = [dict(zip(xg.FEATURES, row)) for row in rows]

    assert (named[0]["header"], named[0]["set_piece"], named[0]["first_time"]) == (1, 1, 1)
    assert (named[1]["free_kick"], named[1]["set_piece"], named[1]["header"]) == (1, 0, 0)
    assert (named[2]["counter"], named[2]["under_pressure"], named[2]["set_piece"]) == (1, 1, 0)


def spot_kick_frame(*players):
    """A shot from the penalty spot (12 yards out, central) with these (x, y, role) players in its frame."""
    frame = [{"x": x, "y": y, "teammate": role == "mate", "keeper": role == "keeper"} for x, y, role in players]
    return xg.Shot(frame_x(12), 50, "Right Foot", "Open Play", {"freeze_frame": frame})


def frame_named(shot) -> dict:
    return dict(zip(xg.FEATURES, xg.feature_row(shot)))


def test_a_keeper_on_his_line_and_one_off_it():
    on_line = frame_named(spot_kick_frame((100, 50, "keeper")))
    off_line = frame_named(spot_kick_frame((frame_x(6), 50, "keeper")))  # came 6 yards out
    aside = frame_named(spot_kick_frame((100, 40, "keeper")))  # on his line, 8 yards to one side

    assert on_line["keeper_off_line"] == 0 and on_line["keeper_off_shot_line"] == pytest.approx(0)
    assert on_line["keeper_distance"] == pytest.approx(12 * 0.9144)
    assert off_line["keeper_off_line"] == pytest.approx(6 * 0.9144) and off_line["keeper_off_shot_line"] == pytest.approx(0)
    assert off_line["keeper_distance"] == pytest.approx(6 * 0.9144)
    assert aside["keeper_off_line"] == 0 and aside["keeper_off_shot_line"] == pytest.approx(8 * 0.9144)


def test_defenders_between_the_ball_and_the_posts_are_counted():
    in_the_way = frame_named(spot_kick_frame(
        (100, 50, "keeper"), (frame_x(6), 50, "opponent"), (frame_x(3), 47, "opponent"),  # inside the triangle
        (frame_x(6), 51, "mate"),  # a teammate in the way is no defender
        (frame_x(6), 75, "opponent")))  # beside the triangle
    clear = frame_named(spot_kick_frame((100, 50, "keeper"), (frame_x(6), 75, "opponent"), (frame_x(15), 20, "opponent")))

    assert in_the_way["defenders_in_cone"] == 2 and clear["defenders_in_cone"] == 0
    assert in_the_way["nearest_defender"] == pytest.approx(6 * 0.9144)  # 6 yards straight ahead
    assert in_the_way["defenders_close"] == 0


def test_a_defender_at_the_shooters_shoulder_is_close_and_the_keeper_never_counts_as_one():
    pressed = frame_named(spot_kick_frame((frame_x(12.5), 51, "opponent"), (frame_x(11), 50, "keeper")))

    assert pressed["defenders_close"] == 1 and pressed["defenders_in_cone"] == 0
    assert pressed["nearest_defender"] == pytest.approx(math.hypot(0.5, 0.8) * 0.9144)
    assert pressed["keeper_distance"] == pytest.approx(0.9144)


def test_a_frame_without_the_keeper_puts_him_on_his_line_and_a_shot_without_a_frame_has_no_frame_features():
    no_keeper = frame_named(spot_kick_frame((frame_x(30), 50, "opponent"), (None, None, "keeper")))  # no location
    no_frame = frame_named(foot(frame_x(12)))

    assert no_keeper["keeper_off_line"] == 0 and no_keeper["keeper_distance"] == pytest.approx(12 * 0.9144)
    assert no_keeper["nearest_defender"] == xg.NEAREST_DEFENDER_CAP  # 18 yards behind: capped at 10 m
    assert all(math.isnan(no_frame[name]) for name in xg.FRAME_FEATURES)
    assert not any(math.isnan(no_frame[name]) for name in xg.FRAMELESS_FEATURES)


def test_a_model_with_frame_features_prices_shots_without_a_frame_with_its_fallback():
    frameless = xg.XgFit(-1.0, {"distance": -0.1}, 0.77, ("distance",))
    model = xg.XgFit(-1.0, {"distance": -0.1, "defenders_in_cone": -1.0}, 0.77, ("distance", "defenders_in_cone"),
                     fallback=xg.XgFit(0.0, {"distance": -0.1}, 0.77, ("distance",)))
    blocked = spot_kick_frame((100, 50, "keeper"), (frame_x(6), 50, "opponent"))
    open_goal = spot_kick_frame((100, 50, "keeper"))
    unframed = foot(frame_x(12))

    p_blocked, p_open, p_unframed = model.predict([blocked, open_goal, unframed])
    d = 12 * 0.9144
    assert p_open == pytest.approx(1 / (1 + math.exp(-(-1 - 0.1 * d))))
    assert p_blocked == pytest.approx(1 / (1 + math.exp(-(-2 - 0.1 * d))))
    assert p_unframed == pytest.approx(1 / (1 + math.exp(0.1 * d)))  # the fallback's intercept 0
    assert frameless.predict([blocked])[0] == frameless.predict([unframed])[0]  # an old model ignores frames
    with pytest.raises(ValueError, match="no fallback"):
        xg.XgFit(0.0, {"defenders_in_cone": -1.0}, 0.77, ("defenders_in_cone",)).predict([unframed])


# The fitter and the penalty rule


def test_fitter_recovers_known_coefficients_from_simulated_shots():
    rng = np.random.default_rng(7)
    n = 100_000
    X = np.column_stack([rng.uniform(3, 35, n), rng.integers(0, 2, n), rng.normal(0, 1, n)])
    true_intercept, true_beta = 0.5, np.array([-0.15, -0.8, 0.6])
    goals = rng.random(n) < 1 / (1 + np.exp(-(true_intercept + X @ true_beta)))

    intercept, beta = xg.fit_logistic(X, goals, l2=0.01)

    assert intercept == pytest.approx(true_intercept, abs=0.1)
    assert beta == pytest.approx(true_beta, rel=0.1)  # 4+ standard errors at this size
    again = xg.fit_logistic(X, goals, l2=0.01)
    assert again[0] == intercept and np.array_equal(again[1], beta)  # deterministic


def test_fitter_refuses_shots_without_a_goal():
    with pytest.raises(ValueError, match="need both goals and misses"):
        xg.fit_logistic(np.ones((5, 2)), np.zeros(5))


def test_penalty_rate_is_shrunk_toward_the_long_run_rate():
    assert xg.shrunk_penalty_rate(0, 0) == pytest.approx(0.775)
    assert 0.76 <= xg.shrunk_penalty_rate(1, 1) <= 0.79
    assert 0.76 <= xg.shrunk_penalty_rate(0, 1) <= 0.79
    many = xg.shrunk_penalty_rate(700, 1000)  # a lot of evidence for 70% moves it most of the way
    assert 0.70 < many < 0.72


def test_split_is_by_match_deterministic_and_never_empty():
    training, held = xg.split_matches(range(10), 0.2, seed=0)

    assert (training, held) == xg.split_matches(reversed(range(10)), 0.2, seed=0)
    assert len(held) == 2 and sorted(training + held) == list(range(10))
    assert any(xg.split_matches(range(10), 0.2, seed=seed) != (training, held) for seed in (1, 2, 3))
    assert len(xg.split_matches([1, 2], 0.01)[1]) == 1 and len(xg.split_matches([1, 2], 0.99)[0]) == 1
    with pytest.raises(ValueError):
        xg.split_matches([1], 0.2)


# Real data: the model learns the obvious


@pytest.fixture(scope="module")
def real_data():
    path = settings.QUANTFOOT_DATA / "statsbomb"
    if not (path / "events").is_dir():
        pytest.skip(f"StatsBomb open data not found at {path} "
                    "(set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    return path


@pytest.fixture(scope="module")
def real_training(real_data):
    return xg.train(real_data)


@pytest.fixture(scope="module")
def premier_league():
    path = settings.QUANTFOOT_DATA / "statsbomb-pl1516"
    if not (path / "events").is_dir():
        pytest.skip(f"StatsBomb Premier League 2015/16 open data not found at {path} "
                    "(set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    return path


@pytest.fixture(scope="module")
def premier_league_training(premier_league):
    return xg.train(premier_league)


def in_game_shots_in_files(root) -> int:
    """Shots in a StatsBomb folder's events files, counted straight from the JSON (shoot-outs aside)."""
    return sum(e["type"]["name"] == "Shot" and e["period"] != 5
               for path in (root / "events").glob("*.json") for e in json.loads(path.read_bytes()))


@pytest.mark.realdata
def test_a_six_yard_shot_outscores_a_thirty_yard_one(real_training):
    close, far = real_training.model.predict([foot(frame_x(6)), foot(frame_x(30))])

    assert close > 0.25 and far < 0.06 and close > 5 * far


@pytest.mark.realdata
def test_a_header_is_worth_less_than_a_shot_with_the_foot_from_the_same_spot(real_training):
    header, kick = real_training.model.predict([
        xg.Shot(frame_x(8), 50, "Head", "Open Play"), xg.Shot(frame_x(8), 50, "Left Foot", "Open Play")])

    assert header < kick


@pytest.mark.realdata
def test_a_penalty_is_worth_the_long_run_conversion(real_training):
    penalty = real_training.model.predict([xg.Shot(None, None, situation="Penalty"),
                                           xg.Shot(None, None, kind="penalty_missed")])

    assert 0.76 <= real_training.model.penalty_rate <= 0.79
    assert list(penalty) == [real_training.model.penalty_rate] * 2


@pytest.mark.realdata
def test_imported_events_give_the_features_the_model_was_trained_on(real_data):
    """The importer's EventRecords (what MatchEvent stores) and the raw reader agree shot for shot."""
    from ingestion.statsbomb import parse_match

    record = parse_match(real_data, 3895052)
    imported = [e for e in record.events if e.kind in MatchEvent.SHOT_KINDS and e.period < 5]
    read = xg.read_statsbomb_shots(real_data, [3895052])

    assert len(imported) == len(read) > 10
    # Frame kept to 2 d.p.; a penalty has no freeze frame here (NaN on both sides).
    assert np.allclose(xg.feature_matrix(imported), xg.feature_matrix(read), atol=0.02, equal_nan=True)
    assert [xg.is_penalty(e) for e in imported] == [xg.is_penalty(s) for s in read]
    assert sum(xg.freeze_frame(e) is not None for e in imported) == sum(xg.freeze_frame(s) is not None for s in read) > 10


@pytest.mark.realdata
def test_forty_premier_league_matches_bring_the_model_within_a_whisker_of_statsbombs(premier_league_training):
    """Cross-validated by match (10 folds) over 1,030 shots: the issue's target is 0.005 of StatsBomb's Brier.
    Measured: 0.0717 against 0.0704, log loss 0.244 against 0.243."""
    cross = premier_league_training.metrics["cross_validated"]

    assert cross["shots"] == 1030 and cross["matches"] == 40
    assert cross["brier"] - cross["provider_brier"] < 0.005
    assert cross["log_loss"] - cross["provider_log_loss"] < 0.005
    # The freeze frame earns its place: cross-validation on the training matches picks the full model.
    assert premier_league_training.training_data["feature_set"] == "full"
    scores = {name: min(by_l2.values()) for name, by_l2 in premier_league_training.training_data["settings_log_loss"].items()}
    assert scores["full"] < scores["frameless"] < scores["base"]


@pytest.mark.realdata
def test_a_keeper_out_of_position_and_a_clear_path_make_a_chance_better(premier_league_training):
    model = premier_league_training.model
    set_keeper, stranded_keeper = model.predict([
        spot_kick_frame((100, 50, "keeper"), (frame_x(25), 30, "opponent")),
        spot_kick_frame((100, 20, "keeper"), (frame_x(25), 30, "opponent"))])  # 24 yards to one side
    clear, crowded = model.predict([
        spot_kick_frame((100, 50, "keeper"), (frame_x(20), 50, "opponent")),
        spot_kick_frame((100, 50, "keeper"), (frame_x(11), 50.5, "opponent"), (frame_x(5), 48, "opponent"),
                        (frame_x(4), 53, "opponent"))])  # one at his shoulder, two on the line of the shot

    assert stranded_keeper > 1.5 * set_keeper
    assert crowded < clear


# The commands


@pytest.mark.realdata
@pytest.mark.django_db
def test_train_xg_on_real_data_writes_a_model_and_prints_the_comparison(real_data):
    out = StringIO()
    call_command("train_xg", str(real_data), stdout=out)

    model = XgModel.objects.get(is_active=True)
    text = out.getvalue()
    assert "Training:" in text and "Held out:" in text and "StatsBomb" in text and "Calibration" in text
    assert model.version == 1
    # On seven matches cross-validation prefers the plain model: the frame features do not pay yet.
    assert model.training_data["feature_set"] == "base" and list(model.feature_names) == list(xg.BASE_FEATURES)
    held, cross = model.metrics["held_out"], model.metrics["cross_validated"]
    assert model.training_data["shots"] + held["shots"] == cross["shots"]  # every in-game shot, once
    assert len(held["calibration"]) == 10 and 0 < held["brier"] < 0.25 and 0 < held["provider_brier"] < 0.25
    assert 0.76 <= model.penalty_rate <= 0.79

    out = StringIO()
    call_command("evaluate_xg", str(real_data), stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert CONTRACT.match(last), last
    assert last == (f"xg brier={held['brier']:.4f} provider_brier={held['provider_brier']:.4f} "
                    f"shots={held['shots']}")


@pytest.mark.django_db
def test_train_then_evaluate_on_a_built_folder(folder):
    out = StringIO()
    call_command("train_xg", str(folder), "--seed", "3", stdout=out)
    call_command("evaluate_xg", str(folder), stdout=out)

    model = XgModel.objects.get(is_active=True)
    held = model.metrics["held_out"]
    assert held["matches"] == 1 and held["shots"] == 41  # 40 open play + 1 penalty; the shoot-out kick ignored
    assert model.training_data["penalties"] == 5 and model.training_data["seed"] == 3
    last = out.getvalue().strip().splitlines()[-1]
    assert CONTRACT.match(last) and last.endswith("shots=41")


@pytest.mark.realdata
@pytest.mark.django_db
def test_evaluate_xg_on_a_folder_it_was_not_trained_on_scores_every_match(premier_league, premier_league_training,
                                                                         real_data):
    xg.save_model(premier_league_training)  # what train_xg PATH stores
    out = StringIO()
    call_command("evaluate_xg", str(real_data), stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert f"Every match of {real_data} (not a training folder): 7 matches" in out.getvalue()
    assert CONTRACT.match(lines[-1]), lines[-1]
    assert lines[-1].endswith(f"shots={in_game_shots_in_files(real_data)}") and lines[-1].endswith("shots=187")
    assert re.match(r"^xg log_loss=\d\.\d{4} provider_log_loss=\d\.\d{4} shots=187$", lines[-2]), lines[-2]
    ours, theirs = map(float, re.findall(r"brier=(\d\.\d{4})", lines[-1]))
    assert ours - theirs < 0.005  # measured: 0.0799 against 0.0799

    out = StringIO()
    call_command("evaluate_xg", str(premier_league), stdout=out)  # its training folder: the held-out split only
    model = XgModel.objects.get(is_active=True)
    assert out.getvalue().strip().splitlines()[-1].endswith(f"shots={model.metrics['held_out']['shots']}")
    assert "Held out in" in out.getvalue() and len(model.training_data["held_out_match_ids"]) == 8


@pytest.mark.django_db
def test_train_xg_pools_several_folders_and_evaluate_xg_holds_out_the_same_matches(tmp_path):
    first = simulated_folder(tmp_path / "first", matches=4)
    second = simulated_folder(tmp_path / "second", matches=4, seed=2, first_match_id=2000)
    out = StringIO()
    call_command("train_xg", str(first), str(second), "--holdout-fraction", "0.25", stdout=out)

    model = XgModel.objects.get(is_active=True)
    held = model.training_data["held_out_match_ids"]
    assert model.training_data["paths"] == [str(first.resolve()), str(second.resolve())]
    assert len(held) == 2 and model.training_data["matches"] == 6
    assert model.metrics["cross_validated"]["matches"] == 8
    for root in (first, second):
        in_root = [match_id for match_id in held if (root / "events" / f"{match_id}.json").exists()]
        out = StringIO()
        if not in_root:
            with pytest.raises(CommandError, match="every match of this folder was used to train"):
                call_command("evaluate_xg", str(root), stdout=out)
            continue
        call_command("evaluate_xg", str(root), stdout=out)
        assert out.getvalue().strip().endswith(f"shots={41 * len(in_root)}")


@pytest.mark.django_db
def test_training_again_adds_a_version_and_keeps_one_active(folder):
    call_command("train_xg", str(folder), stdout=StringIO())
    call_command("train_xg", str(folder), "--holdout-fraction", "0.5", "--l2", "2", "--features", "base",
                 stdout=StringIO())

    assert list(XgModel.objects.values_list("version", "is_active")) == [(2, True), (1, False)]
    second = XgModel.objects.get(version=2)
    assert second.training_data["l2"] == 2 and second.training_data["feature_set"] == "base"
    assert list(second.feature_names) == list(xg.BASE_FEATURES)


@pytest.mark.django_db
def test_evaluate_xg_uses_the_models_split_and_not_its_training_matches(folder):
    call_command("train_xg", str(folder), stdout=StringIO())
    model = XgModel.objects.get()
    held_ids, shots = xg.unseen_shots(folder, model.training_data)

    assert held_ids == model.training_data["held_out_match_ids"]
    assert not set(held_ids) & set(model.training_data["match_ids"])
    assert {shot.match_id for shot in shots} == set(held_ids)


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["train_xg", "evaluate_xg"])
def test_a_folder_without_events_is_refused_by_name(tmp_path, command):
    XgModel.objects.create(version=1, is_active=True, feature_names=list(xg.FEATURES), penalty_rate=0.77,
                           coefficients={"intercept": 0, **dict.fromkeys(xg.FEATURES, 0)},
                           training_data={"holdout_fraction": 0.2, "seed": 0, "match_ids": []})
    (tmp_path / "empty" / "events").mkdir(parents=True)

    with pytest.raises(CommandError, match=r"nowhere.*no events folder"):
        call_command(command, str(tmp_path / "nowhere"), stdout=StringIO())
    with pytest.raises(CommandError, match=r"empty/events: no events files"):
        call_command(command, str(tmp_path / "empty"), stdout=StringIO())


@pytest.mark.django_db
def test_a_malformed_events_file_is_named_and_nothing_is_saved(folder):
    (folder / "events" / "1003.json").write_text('[{"id": "a", "type": {"name": "Shot"}')

    with pytest.raises(CommandError, match=r"events/1003\.json, line 1: not valid JSON"):
        call_command("train_xg", str(folder), stdout=StringIO())
    assert not XgModel.objects.exists()


@pytest.mark.django_db
def test_a_shot_without_location_is_named(folder):
    broken = shot_event(5, None, False)
    (folder / "events" / "1002.json").write_text(json.dumps([broken]))

    with pytest.raises(CommandError, match=r"events/1002\.json, event 5 \(shot-5\): shot has no location"):
        call_command("train_xg", str(folder), stdout=StringIO())


@pytest.mark.django_db
def test_evaluate_xg_needs_a_trained_model(folder):
    with pytest.raises(CommandError, match="no active xG model"):
        call_command("evaluate_xg", str(folder), stdout=StringIO())


# Applying the model to stored shots


@pytest.mark.django_db
def test_apply_xg_model_prices_shots_of_a_provider_without_xg():
    built = build_match()
    penalty = event(built.match, 50, "penalty_missed", built.home, minute=70, situation="Penalty")
    penalty.save()
    XgModel.objects.create(version=1, is_active=True, feature_names=list(xg.BASE_FEATURES), penalty_rate=0.77,
                           coefficients={"intercept": 1.0, **dict.fromkeys(xg.BASE_FEATURES, 0.0), "distance": -0.1})

    updated = xg.apply_xg_model(MatchEvent.objects.filter(match=built.match))

    shots = MatchEvent.objects.filter(match=built.match, kind__in=MatchEvent.SHOT_KINDS).order_by("seq")
    priced = {event.seq: event.model_xg for event in shots}
    assert updated == len(priced) == 5
    assert priced[50] == 0.77
    close, far = priced[11], priced[12]  # a goal 8 m out, a shot 25 m out
    assert close == pytest.approx(1 / (1 + math.exp(-(1 - 0.1 * xg.goal_geometry(92, 48)[0]))), abs=1e-4)
    assert close > far
    assert not MatchEvent.objects.filter(match=built.match, model_xg__isnull=False).exclude(
        kind__in=MatchEvent.SHOT_KINDS).exists()


@pytest.mark.realdata
@pytest.mark.django_db
def test_stored_shots_are_priced_from_the_freeze_frame_the_importer_kept(premier_league, premier_league_training):
    """The importer keeps each shot's freeze frame in ``details``; apply_xg_model reads it back."""
    match_id = min(int(path.stem) for path in (premier_league / "events").glob("*.json"))
    call_command("import_statsbomb", str(premier_league), "--match", str(match_id), stdout=StringIO(),
                 stderr=StringIO())
    saved = xg.save_model(premier_league_training)
    assert saved.coefficients[xg.FALLBACK_KEY]["intercept"] == premier_league_training.model.fallback.intercept
    assert xg.to_fit(saved) == premier_league_training.model  # stored and read back, fallback included

    events = MatchEvent.objects.filter(kind__in=MatchEvent.SHOT_KINDS).exclude(period=5).order_by("source_index")
    priced = xg.apply_xg_model(events)

    stored = list(events.values_list("model_xg", flat=True))
    read = premier_league_training.model.predict(xg.read_statsbomb_shots(premier_league, [match_id]))
    assert priced == len(stored) == len(read) > 10
    assert all(xg.freeze_frame(event) for event in events if not xg.is_penalty(event))
    assert np.allclose(stored, read, atol=0.002)  # the importer rounds locations to 2 d.p. of the frame
