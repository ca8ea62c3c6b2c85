"""Every bad request to the API is a 4xx with a message, and leaves nothing stored."""
import base64
import json

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from rest_framework.test import APIClient

from seqlab.blobs.models import Blob
from seqlab.submissions.models import Submission

pytestmark = pytest.mark.django_db
CODE = base64.b64encode(b"def add(a, b):\n    return a + b\n").decode()


@pytest.fixture
def api(student):
    cache.clear()
    client = APIClient()
    client.force_authenticate(student)
    return client


def _rows() -> tuple[int, int]:
    return Submission.objects.count(), Blob.objects.count()


def _post_raw(api, offering, body: bytes | str, content_type="application/json"):
    return api.generic("POST", f"/api/offerings/{offering.pk}/submissions/", body, content_type=content_type)


BAD_BODIES = {
    "a list": [1, 2],
    "a string": "adder.py",
    "a number": 5,
    "null": None,
    "base64 that is a number": {"filename": "adder.py", "content_base64": 12},
    "base64 that is not base64": {"filename": "adder.py", "content_base64": "***"},
    "content that is a list": {"filename": "adder.py", "content": [1, 2]},
    "content that is a number": {"filename": "adder.py", "content": 7},
    "content and base64 both": {"filename": "adder.py", "content": "x", "content_base64": CODE},
    "no content at all": {"filename": "adder.py"},
    "filename with NUL": {"filename": "add\x00er.py", "content_base64": CODE},
    "filename with CR/LF": {"filename": "adder.py\r\nX-Evil: 1", "content_base64": CODE},
    "filename with a slash": {"filename": "../adder.py", "content_base64": CODE},
    "filename with a backslash": {"filename": "..\\adder.py", "content_base64": CODE},
    "filename of 201 characters": {"filename": "a" * 198 + ".py", "content_base64": CODE},
    "filename that is a number": {"filename": 3, "content_base64": CODE},
    "filename with a lone surrogate": {"filename": "\ud800.py", "content_base64": CODE},
    "content with a lone surrogate": {"filename": "adder.py", "content": "x = '\ud800'"},
    "files that is a dict": {"files": {"filename": "adder.py"}},
    "files that is empty": {"files": []},
    "files holding a string": {"files": ["adder.py"]},
    "files and content both": {"files": [{"filename": "adder.py", "content_base64": CODE}], "content": "x"},
    "a file without content": {"files": [{"filename": "adder.py"}]},
    "seventeen files": {"files": [{"filename": f"f{i}.py", "content": "x"} for i in range(17)]},
    "code the engine would refuse": {"filename": "adder.py", "content_base64": base64.b64encode(b"\xff\xfe").decode()},
    "a type the engine would refuse": {"filename": "adder.exe", "content_base64": CODE},
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_submission_body_is_a_4xx_with_a_message_and_stores_nothing(api, offering, body):
    before = _rows()
    response = _post_raw(api, offering, json.dumps(body))
    assert 400 <= response.status_code < 500, response.content
    data = response.json()
    assert data["error"] and data["detail"]
    assert _rows() == before


def test_json_nested_100000_deep_is_a_400_not_a_500(api, offering):
    response = _post_raw(api, offering, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400 and "중첩" in response.json()["detail"]     # the site's default: Korean
    response = _post_raw(api, offering, '{"a":' * 100_000 + "1" + "}" * 100_000)
    assert response.status_code == 400
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe{}", b'{"content": NaN}', b'{"content": Infinity}', b""],
                         ids=["truncated", "not-utf8", "nan", "infinity", "empty"])
def test_malformed_json_is_a_400(api, offering, raw):
    response = _post_raw(api, offering, raw)
    assert response.status_code == 400 and response.json()["detail"]


def test_oversized_body_is_refused_before_parsing(api, offering, settings):
    settings.SEQLAB_API_MAX_BODY_BYTES = 1024
    response = _post_raw(api, offering, json.dumps({"filename": "adder.py", "content": "x" * 5000}))
    assert response.status_code == 413 and Submission.objects.count() == 0


def test_content_that_is_a_list_is_not_graded_as_text(api, offering):
    response = _post_raw(api, offering, json.dumps({"filename": "adder.py", "content": [1, 2]}))
    assert response.status_code == 400 and "content" in response.json()["fields"]


DEEP_ANSWERS = "{" + '"weight": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize("answers", [
    DEEP_ANSWERS,
    json.dumps({"weight": {"a": [1]}}),
    json.dumps({"weight": [1, 2]}),
    json.dumps({"nosuch": 1}),
    json.dumps({"scale": "cube"}),
    json.dumps({"scale": 3}),
    json.dumps([1, 2]),
    json.dumps({"weight": "1" * 100}),
    '{"weight": NaN}',
    json.dumps({"scale": ["sqrt"] * 3 + [{"x": 1}]}),
], ids=["nested-100000", "object-answer", "list-for-number", "unknown-question", "unknown-choice",
        "number-for-choice", "not-an-object", "long-number", "nan", "dict-in-choices"])
def test_bad_answers_document_is_refused_with_a_message_and_never_queued(api, quiz_offering, answers):
    response = api.post(f"/api/offerings/{quiz_offering.pk}/submissions/",
                        {"filename": "answers.json", "content": answers}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "bad_answers" and response.json()["detail"]
    assert Submission.objects.count() == 0


def test_good_answers_document_through_the_api_is_accepted(api, quiz_offering):
    response = api.post(f"/api/offerings/{quiz_offering.pk}/submissions/",
                        {"filename": "answers.json", "content": json.dumps({"weight": "0.02715", "scale": "sqrt"})},
                        format="json")
    assert response.status_code == 201, response.content


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)
keys = st.sampled_from(["filename", "content", "content_base64", "files", "x"])
names = st.text(max_size=12) | st.sampled_from(["adder.py", "a.ipynb", "x.zip", "answers.json", "d.dot"])
contents = st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode())
one_file = st.fixed_dictionaries({"filename": names}, optional={"content_base64": contents, "content": st.text(max_size=80)})
bodies = (json_values
          | st.dictionaries(keys, json_values, max_size=4)
          | st.dictionaries(keys, st.lists(st.dictionaries(keys, json_values, max_size=3), max_size=3), max_size=3)
          | one_file
          | st.fixed_dictionaries({"files": st.lists(one_file, max_size=4)}))


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(body=bodies)
def test_random_bodies_never_cause_a_5xx_or_leave_rows_behind(api, offering, settings, body):
    settings.SEQLAB_API_RATES = {"user": None, "anon": None, "submit": None}
    settings.SEQLAB_MAX_PENDING_PER_STUDENT = 10_000
    offering.cooldown_seconds = 0
    offering.save()
    before = _rows()
    response = _post_raw(api, offering, json.dumps(body))
    assert response.status_code < 500, (body, response.content)
    if response.status_code != 201:
        assert _rows() == before, body
        assert response.json()["detail"]


def test_the_message_names_the_field_at_fault(api, offering):
    response = _post_raw(api, offering, json.dumps({"files": [{"filename": "ok.py", "content": "x"},
                                                              {"filename": "../x.dot", "content": "y"}]}))
    assert response.status_code == 400
    assert response.json()["detail"] == "files.1.filename: 폴더 없이 파일 이름만 쓰세요."      # the site's language
