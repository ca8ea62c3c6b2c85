#!/usr/bin/env python
"""Django's command-line entry point for SeqLab."""
import os
import sys
from pathlib import Path

# platform/ is a plain folder (never a package: it would shadow the stdlib `platform`).
ROOT = Path(__file__).resolve().parent
for path in (ROOT / "platform", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seqlab.config.settings.dev")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
