"""The embedded default (SQLite, what scripts/up uses) migrates from scratch and has no pending model changes."""
import os
import subprocess
import sys

from tests.conftest import REPO


def manage(*args, var_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(SEQLAB_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="seqlab.config.settings.dev")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)


def test_sqlite_migrates_from_scratch(tmp_path):
    proc = manage("migrate", "--noinput", "-v", "0", var_dir=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "seqlab.sqlite3").is_file()


def test_models_and_migrations_agree(tmp_path):
    proc = manage("makemigrations", "--check", "--dry-run", var_dir=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
