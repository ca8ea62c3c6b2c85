"""The client's tests reuse the web tests' actors and assignments (a real site, a real database)."""
from tests.web.conftest import (_fake_engine, adder, course, instructor, offering,  # noqa: F401
                                other_course, solution_bytes, student)
