"""`pip install ./client` in a fresh virtual environment gives a `seqlab` command that works
against a live site: login saves the token privately, list, submit (one file or several)."""
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from seqlab.accounts.services import token_rotate
from seqlab.submissions.models import Submission

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow]


def _site_packages_of_this_python() -> list[str]:
    import site
    return [p for p in site.getsitepackages() if os.path.isdir(p)]


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh venv that sees this interpreter's packages (requests) but not this checkout."""
    root = tmp_path_factory.mktemp("client-venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(root / "venv")], check=True)
    python = root / "venv" / "bin" / "python"
    # The venv's bundled setuptools is older than the machine's and cannot build a wheel offline.
    subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "setuptools"], check=True)
    if sys.prefix != sys.base_prefix:        # running inside .venv: --system-site-packages skips it
        purelib = subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                          text=True).strip()
        Path(purelib, "outer-venv.pth").write_text("\n".join(_site_packages_of_this_python()) + "\n")
    source = shutil.copytree(REPO / "client", root / "client-src", ignore=shutil.ignore_patterns("__pycache__", "build"))
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-build-isolation",
                    str(source)], check=True, cwd=root)
    return root


def _seqlab(venv: Path, *args: str, lang: str = "en", stdin: str = "", config: Path | None = None):
    env = {"PATH": f"{venv / 'venv' / 'bin'}:/usr/bin:/bin", "LANG": f"{'ko_KR' if lang == 'ko' else 'en_US'}.UTF-8",
           "HOME": str(venv), "XDG_CONFIG_HOME": str(config or venv / "config")}
    return subprocess.run([str(venv / "venv" / "bin" / "seqlab"), *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=venv, timeout=120)


def test_help_runs_outside_the_repository(venv):
    done = _seqlab(venv, "--help")
    assert done.returncode == 0, done.stderr
    for command in ("login", "list", "submit", "status", "check"):
        assert command in done.stdout


def test_help_follows_the_locale_without_mixing_languages(venv):
    ko = _seqlab(venv, "submit", "--help", lang="ko")
    assert "사용법" in ko.stdout and "제출할 파일" in ko.stdout
    prose = ko.stdout.replace("seqlab", "").replace("--no-wait", "").replace("--lang", "").replace("--url", "")
    assert "usage" not in prose and "show this help" not in prose and "files to submit" not in prose
    en = _seqlab(venv, "--lang", "en", "submit", "--help", lang="ko")
    assert "usage:" in en.stdout and "사용법" not in en.stdout


@pytest.mark.django_db(transaction=True)
def test_login_list_submit_from_the_installed_command(venv, live_server, student, offering, solution_bytes,
                                                      tmp_path):
    token = token_rotate(user=student).key
    config = tmp_path / "cfg"
    login = _seqlab(venv, "login", "--url", live_server.url, stdin=token + "\n", config=config)
    assert login.returncode == 0, login.stderr
    saved = config / "seqlab" / "config.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text()) == {"url": live_server.url, "token": token}

    listing = _seqlab(venv, "list", config=config)
    assert listing.returncode == 0 and "adder" in listing.stdout and "adder.py" in listing.stdout

    one = tmp_path / "adder.py"
    one.write_bytes(solution_bytes)
    helper = tmp_path / "helpers.py"
    helper.write_text("HELP = 1\n")
    sent = _seqlab(venv, "submit", "adder", str(one), "--no-wait", config=config)
    assert sent.returncode == 0, sent.stderr
    assert "submitted #1" in sent.stdout
    assert Submission.objects.get(number=1).filename == "adder.py"

    ko = _seqlab(venv, "status", "adder", lang="ko", config=config)
    assert ko.returncode == 0, ko.stderr
    assert "#1" in ko.stdout and "queued" not in ko.stdout and "대기 중" in ko.stdout


def test_login_with_a_wrong_token_saves_nothing(venv, live_server, tmp_path, db):
    config = tmp_path / "cfg"
    done = _seqlab(venv, "login", "--url", live_server.url, stdin="not-a-token\n", config=config, lang="ko")
    assert done.returncode == 2 and "토큰" in done.stderr and "error" not in done.stderr
    assert not (config / "seqlab" / "config.json").exists()


def test_check_runs_the_public_checks_through_the_engine_from_outside_the_repository(venv, tmp_path):
    toy = REPO / "tests" / "graders" / "toy"
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(toy / "solution" / "toy.py", work / "toy.py")
    env = {"PATH": f"{venv / 'venv' / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(venv)}
    done = subprocess.run([str(venv / "venv" / "bin" / "seqlab"), "check", str(toy), "toy.py"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1.1" in done.stdout and "2/2" in done.stdout
