"""Django's own translation workflow: every string marked in code and templates has a Korean
translation in locale/ko/LC_MESSAGES/django.po (fuzzy counts as missing), and django.mo says the
same as the .po it is compiled from."""
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SITE = Path(__file__).resolve().parents[2] / "platform" / "seqlab"
PO = SITE / "locale" / "ko" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

pytestmark = pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext is not installed (scripts/install)")


def _missing(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> polib.POFile:
    """makemessages over a copy of the site, merged into a copy of the committed catalogue."""
    copy = tmp_path_factory.mktemp("site") / "seqlab"
    shutil.copytree(SITE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "migrations", "*.mo"))
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "ko", "--no-obsolete", "-v", "0"],
                   cwd=copy, check=True, env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": ""})
    return polib.pofile(str(copy / "locale" / "ko" / "LC_MESSAGES" / "django.po"))


def test_every_marked_string_has_a_korean_translation(extracted):
    assert _missing(extracted) == [], "translate these in django.po (then compilemessages)"


def test_catalogue_has_no_stale_entries(extracted):
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if not e.obsolete}
    assert committed - {(e.msgctxt, e.msgid) for e in extracted} == set(), "run makemessages --no-obsolete"


def test_compiled_catalogue_matches_the_po():
    po = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.pofile(str(PO)) if e.translated()}
    mo = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(MO)) if e.msgid}
    assert po == mo, "django.mo is stale: run `manage.py compilemessages` (scripts/install does)"


def test_the_missing_check_catches_a_new_string(tmp_path):
    """The test above can fail: an untranslated or fuzzy entry counts as missing."""
    po = polib.pofile(str(PO))
    po.append(polib.POEntry(msgid="A string nobody translated"))
    fuzzy = polib.POEntry(msgid="A guessed string", msgstr="추측", flags=["fuzzy"])
    po.append(fuzzy)
    assert _missing(po) == ["A string nobody translated", "A guessed string"]
