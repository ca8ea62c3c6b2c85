"""Every audit action the site writes, and every key it records, has words in both languages."""
import re
from pathlib import Path

from seqlab.gradebook import auditlog

SITE = Path(__file__).resolve().parents[3] / "platform" / "seqlab"


def _written(pattern: str) -> set[str]:
    found = set()
    for path in SITE.rglob("*.py"):
        if "migrations" not in path.parts:
            found |= set(re.findall(pattern, path.read_text()))
    return found


def test_every_action_written_has_a_label():
    actions = _written(r'action="([a-z_]+\.[a-z_]+)"')
    assert actions and actions - set(auditlog.ACTIONS) == set()


def test_every_key_recorded_has_a_label():
    from seqlab.courses.services import ACCOMMODATION_FIELDS
    keys = _written(r'(?:before|after)=\{"([a-z_]+)"') | set(ACCOMMODATION_FIELDS) | {"time_limit_minutes"}
    assert keys - set(auditlog.KEYS) == set()
