import argparse
import io

import numpy as np
import pytest

from server.commands import model as model_command
from server.services.estimates.fit import fit_parameters, fit_subject
from server.services.estimates.parameters import (
    FIGURES,
    load_parameters,
    parameters_from_json,
    parameters_to_json,
    read_parameters,
)
from server.services.estimates.subjects import subjects_for
from server.services.estimates.synth import (
    COLUMNS,
    NationalData,
    read_csv,
    simulate_national,
    write_csv,
)


def test_fitting_a_synthetic_national_data_set_recovers_its_parameters_within_5_percent():
    truth = load_parameters("KS4")
    data = simulate_national(truth, schools=6000, pupils_per_school=200, seed=11,
                             subjects=["eng-lang"])  # fmt: skip
    fitted = fit_parameters(data, "KS4", version="test")
    for name in FIGURES:
        true, got = getattr(truth["eng-lang"], name), getattr(fitted["eng-lang"], name)
        assert got == pytest.approx(true, rel=0.05), name
    assert fitted.prior.mean == pytest.approx(truth.prior.mean, rel=0.05)
    assert fitted.prior.sd == pytest.approx(truth.prior.sd, rel=0.05)


def test_school_progress_sd_is_floored_at_a_small_positive_number():
    rng = np.random.default_rng(0)
    n = 2000
    data = NationalData(
        pupil_id=np.arange(n),
        school_id=np.repeat(np.arange(100), 20),
        subject=np.array(["maths"] * n),
        prior_attainment=rng.normal(104, 6.5, n),
        female=rng.integers(0, 2, n),
        month=rng.integers(0, 12, n),
        outcome_points=rng.normal(5, 1.2, n),
    )
    fitted = fit_subject(data, "maths")
    assert 0 < fitted.su < 0.1
    assert fitted.se == pytest.approx(1.2, rel=0.1)


def test_synthetic_data_is_seeded_and_shaped_like_national_results():
    parameters = load_parameters("KS2")
    first = simulate_national(parameters, schools=30, pupils_per_school=10, seed=4)
    again = simulate_national(parameters, schools=30, pupils_per_school=10, seed=4)
    other = simulate_national(parameters, schools=30, pupils_per_school=10, seed=5)
    assert np.array_equal(first.outcome_points, again.outcome_points)
    assert not np.array_equal(first.outcome_points, other.outcome_points)
    assert first.subjects() == sorted(s.code for s in subjects_for("KS2"))
    assert len(np.unique(first.school_id)) == 30
    assert set(np.unique(first.month)) <= set(range(12))
    assert first.prior_attainment.min() >= parameters.prior.low


def test_csv_round_trip_with_columns_in_any_order(tmp_path):
    data = simulate_national(load_parameters("KS5"), schools=5, pupils_per_school=4, seed=1)
    path = tmp_path / "national.csv"
    write_csv(data, path)
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)
    back = read_csv(path)
    assert back.subject.tolist() == data.subject.tolist()
    assert np.array_equal(back.school_id, data.school_id)
    assert back.outcome_points == pytest.approx(data.outcome_points, abs=1e-3)

    buffer = io.StringIO()
    write_csv(data, buffer)
    lines = buffer.getvalue().splitlines()
    order = [COLUMNS.index(c) for c in reversed(COLUMNS)]
    shuffled = [",".join(reversed(COLUMNS))]
    shuffled += [",".join(line.split(",")[i] for i in order) for line in lines[1:]]
    path.write_text("\n".join(shuffled) + "\n")
    assert np.array_equal(read_csv(path).pupil_id, data.pupil_id)


def test_csv_without_a_column_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("pupil_id,school_id\n1,2\n")
    with pytest.raises(ValueError, match="missing column"):
        read_csv(path)


def test_parameters_json_round_trip():
    parameters = load_parameters("KS4")
    again = parameters_from_json(parameters_to_json(parameters))
    assert again.version == parameters.version
    assert again.subjects == parameters.subjects
    assert again.prior == parameters.prior


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="aspire")
    model_command.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_model_synth_then_fit_commands(tmp_path, capsys):
    csv_path, json_path = tmp_path / "ks2.csv", tmp_path / "ks2.json"
    argv = ["model", "synth", "--key-stage", "ks2", "--schools", "40",
            "--pupils-per-school", "25", "--seed", "3", "--out", str(csv_path)]  # fmt: skip
    assert run(argv) == 0
    assert run(["model", "fit", str(csv_path), "--key-stage", "KS2", "--out", str(json_path)]) == 0
    fitted = read_parameters(json_path)
    assert set(fitted.subjects) == {s.code for s in subjects_for("KS2")}
    shipped = load_parameters("KS2")
    assert fitted["reading"].b1 == pytest.approx(shipped["reading"].b1, rel=0.25)
    assert "fitted from ks2.csv" in fitted["reading"].source["a"]
    assert "written to" in capsys.readouterr().err


def test_model_fit_to_stdout_and_a_missing_file(tmp_path, capsys):
    csv_path = tmp_path / "ks5.csv"
    run(["model", "synth", "--key-stage", "KS5", "--schools", "10", "--out", str(csv_path)])
    capsys.readouterr()
    assert run(["model", "fit", str(csv_path), "--key-stage", "KS5"]) == 0
    assert '"key_stage": "KS5"' in capsys.readouterr().out
    assert run(["model", "fit", str(tmp_path / "nothing.csv")]) == 1
    with pytest.raises(SystemExit):
        run(["model", "synth", "--key-stage", "KS3"])
