"""`aspire estimates load|list|apply|rollback` against its own SQLite database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.target_settings.test_estimate_versions import new_parameters

ROOT = Path(__file__).resolve().parents[2]
ASPIRE = str(Path(sys.executable).with_name("aspire"))


def test_load_list_apply_and_roll_back(tmp_path):
    env = {**os.environ}
    if not env["ASPIRE_DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the command's own database is the SQLite file below")
    env["ASPIRE_DATABASE_URL"] = f"sqlite://{tmp_path / 'estimates.sqlite3'}"

    def aspire(*args):
        return subprocess.run([ASPIRE, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=120)

    la = aspire("organisation", "create", "--kind", "local-authority", "--name", "Shire",
                "--la-code", "901")
    assert la.returncode == 0, la.stderr
    school = aspire("organisation", "create", "--kind", "school", "--name", "Hill School",
                    "--urn", "123456", "--la", "901")
    assert school.returncode == 0, school.stderr + school.stdout
    file = tmp_path / "ks4.json"
    file.write_text(json.dumps(new_parameters({"maths": 1.0}, "2027.1")), encoding="utf-8")

    out = aspire("estimates", "load", str(file), "--label", "2027 national data")
    assert out.returncode == 0, out.stderr
    assert "2027 national data (2027.1)" in out.stdout and "no school" in out.stdout
    again = aspire("estimates", "load", str(file), "--label", "Again")
    assert again.returncode == 1 and "already loaded" in again.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert aspire("estimates", "load", str(bad), "--label", "x").returncode == 1

    listed = aspire("estimates", "list").stdout.splitlines()
    assert any(line.startswith("KS4\t2027.1\t2027 national data\t") for line in listed)

    out = aspire("estimates", "apply", "--key-stage", "KS4", "--version", "2027.1",
                 "--all-schools")
    assert out.returncode == 0, out.stderr
    assert "123456 Hill School: KS4 national estimates 2027 national data (2027.1)" in out.stdout
    out = aspire("estimates", "apply", "--key-stage", "KS4", "--version", "2027.1",
                 "--school", "123456")
    assert out.returncode == 1 and "already" in out.stderr
    out = aspire("estimates", "rollback", "--key-stage", "KS4", "--school", "123456")
    assert out.returncode == 0 and "Shipped national estimates" in out.stdout, out.stderr
    unknown = aspire("estimates", "apply", "--key-stage", "KS4", "--version", "1999",
                     "--school", "999999")
    assert unknown.returncode == 1 and "no school" in unknown.stderr
