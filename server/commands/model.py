"""`aspire model synth|fit`: synthetic national data and fitting the estimates model."""

import argparse
import sys
from pathlib import Path

from server.services.estimates.fit import fit_parameters
from server.services.estimates.levels import KeyStage
from server.services.estimates.parameters import (
    dump_parameters,
    load_parameters,
    write_parameters,
)
from server.services.estimates.synth import read_csv, simulate_national, write_csv


def _key_stage(text: str) -> KeyStage:
    try:
        return KeyStage(text.upper())
    except ValueError:
        raise argparse.ArgumentTypeError("choose KS2, KS4 or KS5") from None


def add_parser(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    model = subparsers.add_parser("model", help="synthetic national data and model fitting")
    commands = model.add_subparsers(dest="model_command", required=True)

    synth = commands.add_parser(
        "synth", help="write a synthetic national data set drawn from the shipped model"
    )
    synth.add_argument("--key-stage", type=_key_stage, default=KeyStage.KS4)
    synth.add_argument("--schools", type=int, default=300)
    synth.add_argument("--pupils-per-school", type=int, default=100)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--out", default="-", help="CSV file to write (default: stdout)")
    synth.set_defaults(func=synth_command)

    fit = commands.add_parser("fit", help="fit the model's parameters from a national CSV")
    fit.add_argument("file", type=Path, help="pupil-level national results (CSV)")
    fit.add_argument("--key-stage", type=_key_stage, default=KeyStage.KS4)
    fit.add_argument("--version", dest="model_version", default=None)
    fit.add_argument("--out", default="-", help="parameter file to write (default: stdout)")
    fit.set_defaults(func=fit_command)


def synth_command(args: argparse.Namespace) -> int:
    if args.schools < 2 or args.pupils_per_school < 1:
        print("error: need at least 2 schools and 1 pupil per school", file=sys.stderr)
        return 2
    parameters = load_parameters(args.key_stage)
    data = simulate_national(parameters, args.schools, args.pupils_per_school, args.seed)
    write_csv(data, sys.stdout if args.out == "-" else args.out)
    if args.out != "-":
        print(
            f"{len(data)} results of {len(set(data.pupil_id.tolist()))} pupils in "
            f"{args.schools} schools ({args.key_stage}, model {parameters.version}) "
            f"written to {args.out}",
            file=sys.stderr,
        )
    return 0


def fit_command(args: argparse.Namespace) -> int:
    try:
        data = read_csv(args.file)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    parameters = fit_parameters(data, args.key_stage, args.model_version, args.file.name)
    if args.out == "-":
        sys.stdout.write(dump_parameters(parameters))
    else:
        write_parameters(parameters, args.out)
        print(
            f"{len(parameters.subjects)} subjects fitted from {len(data)} results; "
            f"written to {args.out}",
            file=sys.stderr,
        )
    return 0
