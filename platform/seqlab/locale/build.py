"""Write locale/ko/LC_MESSAGES/django.po from ko.py and compile django.mo (needs GNU msgfmt)."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ko import KO  # noqa: E402

HEADER = '''msgid ""
msgstr ""
"Project-Id-Version: seqlab\\n"
"PO-Revision-Date: 2025-09-01 00:00+0900\\n"
"Last-Translator: SeqLab\\n"
"Language-Team: Korean\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Language: ko\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
'''


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def entries() -> str:
    out = []
    for msgid, msgstr in KO.items():
        if isinstance(msgid, tuple):
            out.append(f"msgid {quote(msgid[0])}\nmsgid_plural {quote(msgid[1])}\nmsgstr[0] {quote(msgstr)}\n")
        else:
            flag = "#, python-format\n" if "%(" in msgid else ""
            out.append(f"{flag}msgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n")
    return "\n".join(out)


if __name__ == "__main__":
    target = HERE / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    (target / "django.po").write_text(HEADER + "\n" + entries(), encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", str(target / "django.mo"), str(target / "django.po")], check=True)
    print(f"wrote {target / 'django.mo'} ({len(KO)} strings)")
