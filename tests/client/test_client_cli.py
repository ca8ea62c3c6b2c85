"""The client's pieces without a site: language choice, the saved token's privacy, request bodies."""
import base64
import os
import stat

import pytest

from client import config
from client.api import Api, ClientError
from client.cli import main
from client.messages import MESSAGES, Texts, detect


@pytest.mark.parametrize("flag, env, expected", [
    (None, {"LANG": "ko_KR.UTF-8"}, "ko"), (None, {"LANG": "en_US.UTF-8"}, "en"),
    ("en", {"LANG": "ko_KR.UTF-8"}, "en"), (None, {"LC_ALL": "ko_KR.UTF-8", "LANG": "C"}, "ko"),
    (None, {}, "en"), (None, {"LANG": "C.UTF-8"}, "en"), (None, {"SEQLAB_LANG": "ko", "LANG": "en_US"}, "ko")])
def test_language_follows_flag_then_locale(flag, env, expected):
    assert detect(flag, environ=env) == expected


def test_every_message_exists_in_both_languages_with_the_same_fields():
    import string
    for key, texts in MESSAGES.items():
        assert set(texts) == {"ko", "en"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("ko", "en")]
        assert fields[0] == fields[1], key


def test_saved_config_is_private_even_over_an_old_public_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = config.config_path()
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    os.chmod(path, 0o644)
    config.save({"url": "http://x", "token": "secret"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.load() == {"url": "http://x", "token": "secret"}


def test_unreadable_config_is_ignored(tmp_path):
    bad = tmp_path / "config.json"
    bad.write_text("[not a dict]")
    assert config.load(bad) == {}


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(Api, "call", lambda self, method, path, **kw: calls.append((method, path, kw)) or {})
    return calls


def test_one_file_keeps_the_original_body(tmp_path, sent):
    f = tmp_path / "adder.py"
    f.write_bytes(b"x = 1\n")
    Api("http://x", "t", Texts("en")).submit({"id": 7}, [f])
    assert sent == [("POST", "offerings/7/submissions/",
                     {"json": {"filename": "adder.py", "content_base64": base64.b64encode(b"x = 1\n").decode()}})]


def test_several_files_go_as_a_files_list(tmp_path, sent):
    paths = []
    for name, body in (("model.py", b"a = 1\n"), ("helpers.py", b"b = 2\n")):
        (tmp_path / name).write_bytes(body)
        paths.append(tmp_path / name)
    Api("http://x", "t", Texts("en")).submit({"id": 7}, paths)
    body = sent[0][2]["json"]
    assert [f["filename"] for f in body["files"]] == ["model.py", "helpers.py"]
    assert base64.b64decode(body["files"][1]["content_base64"]) == b"b = 2\n"


def test_an_empty_file_is_refused_before_sending(tmp_path, sent):
    (tmp_path / "adder.py").write_bytes(b"")
    with pytest.raises(ClientError, match="비어 있습니다"):
        Api("http://x", "t", Texts("ko")).submit({"id": 7}, [tmp_path / "adder.py"])
    assert sent == []


def test_korean_run_prints_no_english_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("SEQLAB_TOKEN", raising=False)
    assert main(["--lang", "ko", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("오류:") and "seqlab login" in err and "no API token" not in err


def test_check_without_the_assignment_folder_says_so(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["--lang", "en", "check", "nosuch", "x.py"]) == 2
    assert "no assignment folder" in capsys.readouterr().err


@pytest.mark.parametrize("token", ["c482f5…", "abc\ndef", "abc def", "토큰"])
def test_a_malformed_token_is_refused_in_words_not_with_a_traceback(capsys, monkeypatch, tmp_path, token):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    code = main(["--lang", "en", "--url", "http://127.0.0.1:9", "--token", token, "list"])
    err = capsys.readouterr().err
    assert code != 0 and "not an API token" in err and "Traceback" not in err
