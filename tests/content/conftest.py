"""Shared fixtures for grading content files through the real engine."""
import pytest

from graders.engine import Engine


@pytest.fixture(scope="session")
def engine():
    with Engine() as eng:
        yield eng
