"""`python -m graders`: one JSON document, exit codes that mean something, readable errors."""
import json
import subprocess
import sys

from graders.cli import main
from tests.conftest import REPO, TOY


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "graders", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env=env)


def test_grade_json_is_one_document_and_exit_zero_whatever_the_score():
    proc = run("grade", str(TOY), str(TOY / "starter" / "toy.py"), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)                 # exactly one document, nothing else on stdout
    assert data["score"] == 0 and data["max_score"] == 10 and len(data["tests"]) == 5


def test_grade_accepts_a_folder_and_prints_a_summary(tmp_path):
    (tmp_path / "toy.py").write_bytes((TOY / "solution" / "toy.py").read_bytes())
    proc = run("grade", str(TOY), str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Score: 10/10" in proc.stdout and "PASS" in proc.stdout


def test_missing_sandbox_is_refused_with_a_reason():
    import os
    proc = run("grade", str(TOY), str(TOY / "solution" / "toy.py"), env={**os.environ, "SEQLAB_SANDBOX": "none"})
    assert proc.returncode == 3 and "SEQLAB_SANDBOX" in proc.stderr


def test_broken_assignment_exits_two_with_the_reason(tmp_path, capsys):
    (tmp_path / "assignment.toml").write_text('title = { ko = "x", en = "x" }\nfile = "../evil.py"\n')
    (tmp_path / "s.py").write_text("x = 1\n")
    assert main(["grade", str(tmp_path), str(tmp_path / "s.py")]) == 2
    assert "plain .py file name" in capsys.readouterr().err


def test_missing_submission_exits_two(capsys):
    assert main(["grade", str(TOY), "/no/such/file.py"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_check_reports_every_problem(engine, tmp_path, capsys):
    import shutil
    bad = tmp_path / "toy"
    shutil.copytree(TOY, bad)
    (bad / "README.ko.md").unlink()
    public = bad / "tests" / "public" / "test_double.py"
    public.write_text(public.read_text().replace("ref.double(x),", "ref.double(x) + 1,"))
    (bad / "assignment.toml").write_text((TOY / "assignment.toml").read_text().replace("points = 10", "points = 12"))
    assert main(["check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "README.ko.md is missing" in out and "points = 12" in out and "the solution fails check 1.1" in out


def test_check_passes_a_sound_assignment(capsys):
    assert main(["check", str(TOY)]) == 0
    assert "ok" in capsys.readouterr().out
