"""The client's own words in Korean and English, and which of the two this run speaks.

The language is chosen once per run (`--lang`, else the system locale) so that a run never
mixes the two; texts that come from the site (check names, feedback) are asked for in the
same language through the request's Accept-Language.
"""
from __future__ import annotations

import os

LANGS = ("ko", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "description": {"en": "SeqLab's command line: submit homework and read its grade.",
                    "ko": "SeqLab 명령줄 도구: 과제를 제출하고 채점 결과를 확인합니다."},
    "help_lang": {"en": "language of the messages (default: the system locale)",
                  "ko": "메시지 언어 (기본값: 시스템 로캘)"},
    "help_url": {"en": "the site's address (default: saved by login, or SEQLAB_URL)",
                 "ko": "사이트 주소 (기본값: login 때 저장한 주소 또는 SEQLAB_URL)"},
    "help_token": {"en": "API token (default: saved by login, or SEQLAB_TOKEN)",
                   "ko": "API 토큰 (기본값: login 때 저장한 토큰 또는 SEQLAB_TOKEN)"},
    "help_login": {"en": "save the site's address and your API token", "ko": "사이트 주소와 API 토큰 저장"},
    "help_list": {"en": "open assignments", "ko": "열린 과제 목록"},
    "help_submit": {"en": "submit one or more files and wait for the score",
                    "ko": "파일을 하나 이상 제출하고 점수를 기다림"},
    "help_files": {"en": "the files to submit", "ko": "제출할 파일"},
    "help_no_wait": {"en": "do not wait for the grade", "ko": "채점 결과를 기다리지 않음"},
    "help_status": {"en": "an assignment's latest submission, or a submission id",
                    "ko": "과제의 최근 제출 또는 제출 번호(id)의 상태"},
    "help_target": {"en": "assignment slug or submission id", "ko": "과제 이름(slug) 또는 제출 id"},
    "help_watch": {"en": "keep watching until grading ends", "ko": "채점이 끝날 때까지 지켜봄"},
    "help_check": {"en": "run the public checks on this machine", "ko": "공개 검사를 이 컴퓨터에서 실행"},
    "help_assignment": {"en": "assignment slug or folder", "ko": "과제 이름(slug) 또는 폴더"},
    "help_file": {"en": "the file to check", "ko": "검사할 파일"},
    "prompt_token": {"en": "API token (from the site's API token page): ",
                     "ko": "API 토큰 (사이트의 API 토큰 페이지에 있음): "},
    "logged_in": {"en": "logged in to {url}; token saved in {path}",
                  "ko": "{url}에 로그인했습니다. 토큰을 {path}에 저장했습니다"},
    "no_token": {"en": "no API token: run `seqlab login` (or set SEQLAB_TOKEN; the site's API token page shows yours)",
                 "ko": "API 토큰이 없습니다: `seqlab login`을 실행하세요 (또는 SEQLAB_TOKEN 설정; 사이트의 API 토큰 페이지에 있습니다)"},
    "unreachable": {"en": "cannot reach {url}: {error}", "ko": "{url}에 연결할 수 없습니다: {error}"},
    "reason_timeout": {"en": "no answer in time", "ko": "응답 시간 초과"},
    "reason_tls": {"en": "the TLS certificate was refused", "ko": "TLS 인증서 오류"},
    "reason_refused": {"en": "connection refused or no such host", "ko": "연결이 거부되었거나 주소가 없습니다"},
    "reason_other": {"en": "bad address", "ko": "잘못된 주소"},
    "not_found": {"en": "no such assignment or submission here (or not yours)",
                  "ko": "그런 과제나 제출이 없습니다 (또는 내 것이 아닙니다)"},
    "http_error": {"en": "the site answered HTTP {code}", "ko": "사이트가 HTTP {code}(으)로 응답했습니다"},
    "bad_token": {"en": "the site refused the token (HTTP 401): run `seqlab login` again",
                  "ko": "사이트가 토큰을 거부했습니다 (HTTP 401): `seqlab login`을 다시 실행하세요"},
    "malformed_token": {"en": "that is not an API token (copy it again from the site's API token page)",
                        "ko": "API 토큰이 아닙니다 (사이트의 API 토큰 페이지에서 다시 복사하세요)"},
    "no_assignment": {"en": "no open assignment called {slug!r} (try: seqlab list)",
                      "ko": "{slug!r}(이)라는 열린 과제가 없습니다 (seqlab list로 확인하세요)"},
    "no_assignments": {"en": "no open assignments", "ko": "열린 과제가 없습니다"},
    "list_row": {"en": "{slug:24} {file:16} due {due}  {title}", "ko": "{slug:24} {file:16} 마감 {due}  {title}"},
    "cannot_read": {"en": "cannot read {path}: {error}", "ko": "{path}을(를) 읽을 수 없습니다: {error}"},
    "empty_file": {"en": "{path} is empty", "ko": "{path}이(가) 비어 있습니다"},
    "submitted": {"en": "submitted #{number}: {url}", "ko": "#{number} 제출 완료: {url}"},
    "no_submissions": {"en": "no submissions yet", "ko": "아직 제출한 것이 없습니다"},
    "status_queued": {"en": "queued", "ko": "대기 중"},
    "status_running": {"en": "grading", "ko": "채점 중"},
    "status_graded": {"en": "graded", "ko": "채점 완료"},
    "status_rejected": {"en": "not gradable", "ko": "채점 불가"},
    "status_error": {"en": "grading failed", "ko": "채점 실패"},
    "not_gradable": {"en": "not gradable: {error}", "ko": "채점 불가: {error}"},
    "pass": {"en": "PASS", "ko": "통과"},
    "fail": {"en": "FAIL", "ko": "실패"},
    "hidden_group": {"en": "hidden {checks} check(s), {points:g} pt: {when}",
                     "ko": "비공개 검사 {checks}개, {points:g}점: {when}"},
    "when_at": {"en": "shown {at}", "ko": "{at}에 공개"},
    "when_never": {"en": "never shown", "ko": "공개되지 않음"},
    "when_published": {"en": "shown when grades are published", "ko": "성적 공개 후 공개"},
    "score": {"en": "score: {score:g}/{max:g}", "ko": "점수: {score:g}/{max:g}"},
    "shown_score": {"en": "shown checks: {score:g}/{max:g} (total shown later)",
                    "ko": "공개된 검사: {score:g}/{max:g} (총점은 나중에 공개)"},
    "no_folder": {"en": "{name}: no assignment folder here (pass its path, or set SEQLAB_ASSIGNMENTS)",
                  "ko": "{name}: 과제 폴더를 찾을 수 없습니다 (폴더 경로를 주거나 SEQLAB_ASSIGNMENTS를 설정하세요)"},
    "no_engine": {"en": "the grading engine is not here: run `seqlab check` inside the course repository",
                  "ko": "채점 엔진을 찾을 수 없습니다: 강의 저장소 안에서 `seqlab check`를 실행하세요"},
    "error": {"en": "error: {message}", "ko": "오류: {message}"},
    "interrupted": {"en": "stopped watching; grading goes on (seqlab status {target})",
                    "ko": "지켜보기를 멈췄습니다. 채점은 계속됩니다 (seqlab status {target})"},
}


def detect(explicit: str | None = None, environ=os.environ) -> str:
    """`--lang`, else SEQLAB_LANG, else the POSIX locale variables; Korean only when asked for."""
    for value in (explicit, environ.get("SEQLAB_LANG"), environ.get("LC_ALL"),
                  environ.get("LC_MESSAGES"), environ.get("LANG")):
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


class Texts:
    """`t("key", **fields)`: one message in this run's language."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else "en"

    def __call__(self, key: str, **fields) -> str:
        return MESSAGES[key][self.lang].format(**fields)


# argparse writes its own words (usage, errors) through the module's `_`; Python ships no Korean
# catalogue for them, so a Korean run gives argparse these instead of printing English.
ARGPARSE_KO = {
    "usage: ": "사용법: ",
    "positional arguments": "위치 인자",
    "options": "옵션",
    "show this help message and exit": "이 도움말을 보이고 끝냄",
    "the following arguments are required: %s": "다음 인자가 필요합니다: %s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 오류: %(message)s\n",
    "invalid choice: %(value)r (choose from %(choices)s)": "잘못된 선택: %(value)r (%(choices)s 중에서 고르세요)",
    "unrecognized arguments: %s": "알 수 없는 인자: %s",
    "expected one argument": "인자가 하나 필요합니다",
    "expected at least one argument": "인자가 하나 이상 필요합니다",
    "argument %(argument_name)s: %(message)s": "인자 %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "모호한 옵션: %(option)s은(는) %(matches)s 중 하나일 수 있습니다",
}


def translate_argparse(lang: str) -> None:
    import argparse
    import gettext
    argparse._ = (lambda text: ARGPARSE_KO.get(text, text)) if lang == "ko" else gettext.gettext
