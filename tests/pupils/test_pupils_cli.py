"""`aspire pupils import|roll-forward` and `aspire value-added import` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pupil_files import csv_bytes, pupil_row  # noqa: E402

# One interpreter runs every command in turn through server.cli.main (start-up is slow).
RUNNER = """
import contextlib, io, json, sys
from server.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code
    results.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
print(json.dumps(results))
"""

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("ASPIRE_TEST_DATABASE_URL")),
    reason="the commands run on their own SQLite file; once is enough",
)


def run_commands(tmp_path: Path, *commands: list[str]) -> list[dict]:
    env = {**os.environ, "ASPIRE_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}"}
    done = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(commands)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_roll_forward_and_value_added_commands(tmp_path):
    pupils = tmp_path / "pupils.csv"
    pupils.write_bytes(csv_bytes([pupil_row(1), pupil_row(2, Gender="Q"),
                                  pupil_row(3, year_group=11)]))
    bad_va = tmp_path / "bad-va.csv"
    bad_va.write_text("Academic year,Key stage,Subject,Value added,Pupils\n"
                      "2025/26,KS4,maths,0.3,100\n2025/26,KS4,Latin,0.1,9\n")
    va = tmp_path / "va.csv"
    va.write_text("Academic year,Key stage,Subject,Value added,Pupils\n2025/26,KS4,maths,0.3,100\n")

    (la, school, checked, done, rolled, again, refused, imported, unknown) = run_commands(
        tmp_path,
        ["organisation", "create", "--kind", "local-authority", "--name", "Northshire",
         "--la-code", "801"],
        ["organisation", "create", "--kind", "school", "--name", "Hill", "--urn", "123456",
         "--la", "801"],
        ["pupils", "import", "123456", str(pupils)],
        ["pupils", "import", "123456", str(pupils), "--confirm"],
        ["pupils", "roll-forward", "123456", "--from-year", "2026"],
        ["pupils", "roll-forward", "123456", "--from-year", "2026"],
        ["value-added", "import", "123456", str(bad_va)],
        ["value-added", "import", "123456", str(va)],
        ["pupils", "import", "999999", str(pupils)],
    )
    assert la["code"] == 0 and school["code"] == 0, (la, school)
    assert checked["code"] == 0, checked
    assert "new pupils 2" in checked["out"] and "row 3, Gender" in checked["out"]
    assert "Nothing imported yet" in checked["out"]
    assert done["code"] == 0 and "Imported: 2 new" in done["out"], done
    assert rolled["code"] == 0 and "1 pupils moved up, 1 left" in rolled["out"], rolled
    assert again["code"] == 1 and "already in 2027/28" in again["err"], again
    assert refused["code"] == 1 and "row 3, Subject" in refused["err"], refused
    assert imported["code"] == 0 and "1 added" in imported["out"], imported
    assert unknown["code"] == 1 and "No school has the URN" in unknown["err"], unknown


def test_import_ctf_command(tmp_path):
    from ctf_files import ctf_bytes, ks2, pupil_xml

    ctf = tmp_path / "from-mis.xml"
    ctf.write_bytes(ctf_bytes([pupil_xml(pupil_row(1)), pupil_xml(pupil_row(2), ks2("A", "101"))],
                              dest_urn="123456"))
    csv = tmp_path / "pupils.csv"
    csv.write_bytes(csv_bytes([pupil_row(1)]))
    (_, _, checked, done, twice, not_ctf) = run_commands(
        tmp_path,
        ["organisation", "create", "--kind", "local-authority", "--name", "Northshire",
         "--la-code", "801"],
        ["organisation", "create", "--kind", "school", "--name", "Hill", "--urn", "123456",
         "--la", "801"],
        ["pupils", "import-ctf", str(ctf), "--school", "123456"],
        ["pupils", "import-ctf", str(ctf), "--school", "123456", "--confirm"],
        ["pupils", "import-ctf", str(ctf), "--school", "123456", "--confirm"],
        ["pupils", "import-ctf", str(csv), "--school", "123456"],
    )
    assert checked["code"] == 0 and "new pupils 2" in checked["out"], checked
    assert "row 2, Prior attainment: warning: KS2 reading test result is 'A'" in checked["out"]
    assert "Nothing imported yet" in checked["out"]
    assert done["code"] == 0 and "Imported: 2 new" in done["out"], done
    assert twice["code"] == 0 and "Imported: 0 new, 0 updated, 2 unchanged" in twice["out"]
    assert not_ctf["code"] == 1 and "not a Common Transfer File" in not_ctf["err"], not_ctf
