"""Korean for the English texts the engine's stages and sandbox write as plain strings.

Those modules (graders/stages/upload.py, static_check.py, run_checks.py, banned.py,
graders/sandbox/proxy.py) stay free of translation code; a text they produce is matched
here by its English wording. A pattern's named group is copied into the Korean as is,
except groups named `t_*`, which are translated in turn (e.g. what a call was doing).
A text no entry matches keeps its English in both languages; tests/graders/test_i18n*.py
grade real faults in Korean and fail on such leftovers.
"""
from __future__ import annotations

import re
from functools import lru_cache

from graders.i18n import T

# (English pattern, Korean template). Order matters: the first full match wins.
_ENTRIES: tuple[tuple[str, str], ...] = (
    # ---------------------------------------------------------------- upload (graders/stages/upload.py)
    (r"The uploaded file '(?P<name>.*)' is empty\.", "업로드한 파일 '{name}'이(가) 비어 있습니다."),
    (r"The uploaded file \"(?P<name>.*)\" is empty\.", "업로드한 파일 \"{name}\"이(가) 비어 있습니다."),
    (r"The upload is (?P<n>\d+) KiB; the limit is (?P<m>\d+) KiB\.",
     "업로드한 파일이 {n} KiB입니다. 최대 {m} KiB까지 올릴 수 있습니다."),
    (r"The zip holds no (?P<file>\S+) \(nor a notebook\)\.", "zip 파일에 {file}도, 노트북(.ipynb)도 없습니다."),
    (r"Graded the code cells of notebook (?P<nb>.+) as (?P<file>\S+)\.",
     "노트북 {nb}의 코드 셀을 {file} 파일로 채점했습니다."),
    (r"Uploaded (?P<name>.+); graded as (?P<file>\S+)\.", "올린 파일 {name}을(를) {file} 파일로 채점했습니다."),
    (r"Expected (?P<file>\S+) \(or a notebook \.ipynb\), got (?P<name>.+)\.",
     "{file} 파일(또는 노트북 .ipynb)을 올려야 하는데 {name} 파일이 올라왔습니다."),
    (r"The code is (?P<n>\d+) KiB; the limit is (?P<m>\d+) KiB\.",
     "코드가 {n} KiB입니다. 최대 {m} KiB까지 받습니다."),
    (r"(?P<name>.+) contains NUL bytes: is it really a Python source file\?",
     "{name}에 NUL 바이트가 있습니다. 파이썬 소스 파일이 맞는지 확인하세요."),
    (r"(?P<name>.+) is not UTF-8 text \(byte (?P<n>\d+)\); save it as UTF-8 and upload it again\.",
     "{name}은(는) UTF-8 텍스트가 아닙니다 ({n}번째 바이트). UTF-8로 저장해서 다시 올리세요."),
    (r"Ignored files this assignment does not use: (?P<names>.*)\.",
     "이 과제에서 쓰지 않는 파일은 무시했습니다: {names}."),
    (r"The zip is too large \(at most (?P<n>\d+) files and (?P<m>\d+) MiB unpacked\)\.",
     "zip 파일이 너무 큽니다 (파일 {n}개, 압축을 푼 크기 {m} MiB까지)."),
    (r"The zip holds two files named (?P<name>.+); keep one\.",
     "zip 파일에 이름이 {name}인 파일이 두 개 있습니다. 하나만 남기세요."),
    (r"The zip could not be read \((?P<why>.*)\)\.", "zip 파일을 읽을 수 없습니다 ({why})."),
    (r"The notebook could not be read \((?P<why>.*)\); download it again from the assignment page or "
     r"submit a \.py file\.",
     "노트북을 읽을 수 없습니다 ({why}). 과제 페이지에서 다시 내려받거나 .py 파일로 제출하세요."),
    (r"The notebook has no code cells\.", "노트북에 코드 셀이 없습니다."),
    # ---------------------------------------------------------------- static checks (static_check.py)
    (r"(?P<type>\w+) in (?P<file>[^,\n]+), line (?P<line>\d+): (?P<msg>[^\n]*)(?P<rest>\n.*)?",
     "{file} {line}번째 줄에서 {type}: {msg}{rest}"),
    (r"(?P<file>\S+) cannot be compiled: (?P<why>.*)", "{file}을(를) 컴파일할 수 없습니다: {why}"),
    # ---------------------------------------------------------------- checks (run_checks.py)
    (r"Banned API (?P<api>\S+) called at runtime \(line (?P<line>\d+)\)\. Implement it yourself; this check "
     r"scores 0\.", "금지된 API {api}를 실행 중에 호출했습니다 ({line}번째 줄). 직접 구현하세요. 이 검사는 0점입니다."),
    (r"Banned API (?P<api>\S+) called at runtime\. Implement it yourself; this check scores 0\.",
     "금지된 API {api}를 실행 중에 호출했습니다. 직접 구현하세요. 이 검사는 0점입니다."),
    (r"(?P<t_why>`[^`]+`, .+?) \(line (?P<line>\d+)\), which the grader cannot check for banned APIs",
     "{t_why} ({line}번째 줄): 채점기가 금지 API 사용 여부를 확인할 수 없는 방식"),
    (r"`(?P<x>[^`]+)`, a lookup by name", "`{x}`(이름으로 찾는 방식)"),
    (r"`(?P<x>[^`]+)`, a lookup or code built at run time", "`{x}`(실행 중에 찾거나 만드는 코드)"),
    (r"`(?P<x>[^`]+)`, a namespace looked up by name", "`{x}`(이름으로 찾는 네임스페이스)"),
    (r"`(?P<x>[^`]+)`, a private or by-name operator API", "`{x}`(비공개이거나 이름으로 찾는 연산자 API)"),
    (r"(?P<t_what>.+?): the sandbox's record of banned API calls is missing or was tampered with "
     r"\(tripwires: (?P<state>.*)\); this check scores 0",
     "{t_what}: 샌드박스의 금지 API 호출 기록이 없거나 조작되었습니다 (tripwires: {state}). 이 검사는 0점입니다"),
    (r"(?P<name>.+) declares the source encoding (?P<enc>'[^']*'); only UTF-8 is accepted\. Remove the "
     r"`coding:` line and save the file as UTF-8\.",
     "{name}에 소스 인코딩 {enc}이(가) 선언되어 있습니다. UTF-8만 받습니다. `coding:` 줄을 지우고 UTF-8로 저장하세요."),
    (r"(?P<name>.+) has an encoding declaration Python cannot use \((?P<why>.*)\); remove it and save the "
     r"file as UTF-8\.", "{name}의 인코딩 선언을 파이썬이 쓸 수 없습니다 ({why}). 그 줄을 지우고 UTF-8로 저장하세요."),
    (r"Banned API: (?P<t_uses>.*)\. Implement it yourself; this check scores 0\.",
     "금지된 API 사용: {t_uses}. 직접 구현하세요. 이 검사는 0점입니다."),
    (r"`(?P<target>[^`]+)` uses (?P<t_api>.+?)(?P<t_more>; `.*)?", "`{target}`에서 {t_api} 사용{t_more}"),
    (r"; (?P<t_uses>`.*)", "; {t_uses}"),
    (r"(?P<api>\S+) \(line (?P<line>\d+)\)", "{api} ({line}번째 줄)"),
    (r"(?P<api>\S+) \(line (?P<line>\d+)\), (?P<t_more>.*)", "{api} ({line}번째 줄), {t_more}"),
    (r"an expectation of this check was not met", "이 검사의 조건을 만족하지 못했습니다"),
    (r"could not evaluate your result \((?P<why>.*)\)", "제출한 코드의 결과를 평가할 수 없습니다 ({why})"),
    (r"partial credit: (?P<p>\S+)", "부분 점수: {p}"),
    (r"the check returned an unexpected value", "검사가 예상하지 못한 값을 반환했습니다 (과제 작성자에게 알려 주세요)"),
    # ---------------------------------------------------------------- the sandbox (sandbox/proxy.py)
    (r"the submission used up its total time limit of (?P<s>[\d.]+) s before (?P<t_what>.+)",
     "{t_what} 전에 제출물 전체 제한 시간 {s}초를 다 썼습니다"),
    (r"timed out after (?P<s>[\d.e+-]+) s in (?P<t_what>.+?)(?P<t_total> \(the submission's total time limit "
     r"ran out\))?(?P<t_oom>; meanwhile .*)?",
     "{t_what} 중 제한 시간 {s}초를 넘겼습니다{t_total}{t_oom}"),
    (r" \(the submission's total time limit ran out\)", " (제출물 전체 제한 시간이 끝났습니다)"),
    (r"; meanwhile the kernel killed (?P<n>\d+) of its processes for going over the memory limit "
     r"\((?P<m>\d+) MiB for all its processes\)",
     "; 그동안 메모리 제한(모든 프로세스 합쳐 {m} MiB)을 넘어 커널이 프로세스 {n}개를 종료했습니다"),
    (r"(?P<t_what>.+?): ran out of memory \(limit (?P<m>\d+) MiB\)",
     "{t_what}: 메모리가 부족합니다 (제한 {m} MiB)"),
    (r"(?P<t_what>.+?): the sandbox sent malformed data \((?P<why>.*)\)",
     "{t_what}: 샌드박스가 잘못된 형식의 데이터를 보냈습니다 ({why})"),
    (r"(?P<t_what>.+?): the sandbox was restarted after an earlier failure, so an object it held is gone",
     "{t_what}: 앞선 실패로 샌드박스가 다시 시작되어 그 안의 객체가 사라졌습니다"),
    (r"(?P<t_what>.+?): the sandbox was restarted after an earlier failure, so this (?P<type>\S+) object is gone",
     "{t_what}: 앞선 실패로 샌드박스가 다시 시작되어 이 {type} 객체가 사라졌습니다"),
    (r"(?P<t_what>.+?) raised (?P<type>[\w.]+): (?P<msg>[^\n]*)(?P<trace>\n.*)?",
     "{t_what}에서 {type} 예외가 발생했습니다: {msg}{trace}"),
    (r"(?P<t_what>.+?) raised (?P<type>[\w.]+)(?P<trace>\n.*)?", "{t_what}에서 {type} 예외가 발생했습니다{trace}"),
    (r"(?P<type>\w+)\.state_dict\(\) did not return a dict", "{type}.state_dict()가 dict를 반환하지 않았습니다"),
    (r"(?P<name>\S+) changed its argument `(?P<arg>[^`]+)` in place; functions must not mutate their inputs "
     r"\(work on a copy\)",
     "{name}이(가) 인자 `{arg}`를 제자리(in place)에서 바꿨습니다. 함수는 입력을 바꾸면 안 됩니다 (복사본으로 계산하세요)"),
    (r"your code ran out of memory \(limit (?P<m>\d+) MiB for all its processes\)",
     "메모리가 부족합니다 (모든 프로세스 합쳐 {m} MiB 제한)"),
    (r"the submission's total time limit of (?P<s>[\d.]+) s ran out", "제출물 전체 제한 시간 {s}초가 끝났습니다"),
    (r"your code used up its CPU time limit", "CPU 시간 제한을 다 썼습니다"),
    (r"your code wrote a file larger than the limit", "제한보다 큰 파일을 썼습니다"),
    (r"your code crashed \(segmentation fault\)", "코드가 비정상 종료되었습니다 (segmentation fault)"),
    (r"your code crashed \(bus error\)", "코드가 비정상 종료되었습니다 (bus error)"),
    (r"your code aborted", "코드가 중단되었습니다 (abort)"),
    (r"your code crashed \(illegal instruction\)", "코드가 비정상 종료되었습니다 (illegal instruction)"),
    (r"your code crashed \(arithmetic fault\)", "코드가 비정상 종료되었습니다 (arithmetic fault)"),
    (r"your code was killed \(it may have exceeded the memory limit of (?P<m>\d+) MiB\)",
     "코드가 강제 종료되었습니다 (메모리 제한 {m} MiB를 넘었을 수 있습니다)"),
    (r"your code was killed by (?P<sig>\w+)", "코드가 {sig} 시그널로 강제 종료되었습니다"),
    (r"your code ended the process \(exit code (?P<code>[^)]*)\); do not call exit\(\) or os\._exit\(\) in a "
     r"submission",
     "코드가 프로세스를 끝냈습니다 (종료 코드 {code}). 제출물에서 exit()나 os._exit()를 호출하지 마세요"),
    (r"(?P<t_what>.+?): (?P<t_death>your code .*|the submission's total time limit .*)", "{t_what}: {t_death}"),
    # what a call was doing (the `what` of the messages above)
    (r"importing (?P<file>\S+)", "{file} 가져오기(import)"),
    (r"starting your code", "코드 시작"),
    (r"creating a tensor", "텐서 만들기"),
    (r"creating (?P<name>\S+)", "{name} 만들기"),
    (r"inspecting (?P<name>\S+)", "{name} 살펴보기"),
    (r"setting (?P<name>\S+)", "{name} 설정"),
    (r"(?P<name>[\w.]+) \(backward\)", "{name} (역전파)"),
    (r"(?P<name>[\w.]+(?:\(\.\.\.\))?)", "{name}"),
    # ---------------------------------------------------------------- answers (stages/answers.py, quiz.py)
    (r"Ignored answers to unknown questions: (?P<ids>.*)\.", "없는 문항에 대한 답은 무시했습니다: {ids}."),
    (r"answers\.json is not valid JSON \((?P<why>.*)\)", "answers.json이 올바른 JSON이 아닙니다 ({why})"),
    (r'answers\.json must be an object: \{"question id": answer, \.\.\.\}',
     'answers.json은 객체여야 합니다: {{"문항 id": 답, ...}}'),
)


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p, re.DOTALL), ko) for p, ko in _ENTRIES)


def _korean(en: str, depth: int = 0) -> str | None:
    """The Korean of one engine text, or None when no entry matches it."""
    if depth > 8:                      # a chain of "; `f` uses ..." nests one level per item
        return None
    for pattern, ko in _compiled():
        match = pattern.fullmatch(en)
        if match is None:
            continue
        values = {}
        for key, value in match.groupdict().items():
            value = value or ""
            if key.startswith("t_") and value:
                value = _korean(value, depth + 1) or value
            values[key] = value
        return ko.format(**values)
    return None


def translate(en: str) -> T:
    """`en` with its Korean, when the catalogue knows the text; otherwise English in both."""
    if not en:
        return T("", "")
    ko = _korean(en)
    if ko is None and "\n" in en:
        lines = en.split("\n")
        ko = "\n".join(_korean(line) or line for line in lines)
    return T(en, en if ko is None else ko)


def knows(en: str) -> bool:
    return _korean(en) is not None
