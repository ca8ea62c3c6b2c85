"""Korean for the English texts the engine's stages and sandbox write as plain strings.

Those modules (graders/stages/upload.py, static_check.py, run_checks.py, answers.py,
graders/unpack.py, graders/budget.py, graders/bounded.py, graders/sandbox/proxy.py and the
reasons of its malformed replies in protocol.py, decoding.py and host.py) stay free of
translation code; a text they produce is matched here by its English wording (Python's own
reasons they pass on, from json, codecs and tokenize, too). A pattern's named group is copied
into the Korean as is, except groups named `t_*`, which are translated in turn (e.g. what a
call was doing).
A text no entry matches keeps its English in both languages; tests/graders/test_i18n*.py
grade real faults in Korean and fail on such leftovers, and test_i18n_sources.py reads every
message those modules write and fails on one the catalogue does not know.
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
    (r"Ignored files this assignment does not use: (?P<names>.*) and (?P<n>\d+) more\.",
     "이 과제에서 쓰지 않는 파일은 무시했습니다: {names} 외 {n}개."),
    (r"Ignored files this assignment does not use: (?P<names>.*)\.",
     "이 과제에서 쓰지 않는 파일은 무시했습니다: {names}."),
    (r"The zip is too large \(at most (?P<n>\d+) files and (?P<m>\d+) MiB unpacked\)\.",
     "zip 파일이 너무 큽니다 (파일 {n}개, 압축을 푼 크기 {m} MiB까지)."),
    (r"The zip holds two files named (?P<name>.+); keep one\.",
     "zip 파일에 이름이 {name}인 파일이 두 개 있습니다. 하나만 남기세요."),
    (r"The zip could not be read \((?P<why>.*)\)\.", "zip 파일을 읽을 수 없습니다 ({why})."),
    (r"The zip could not be read \((?P<why>.*)\); make it again and upload it\.",
     "zip 파일을 읽을 수 없습니다 ({why}). 다시 압축해서 올리세요."),
    (r"The zip holds (?P<n>\d+) files; the limit is (?P<m>\d+)\.",
     "zip 파일에 파일이 {n}개 있습니다. 최대 {m}개까지 받습니다."),
    (r"The zip is too large to unpack\.", "zip 파일이 너무 커서 풀 수 없습니다."),
    (r"The zip holds a symbolic link \((?P<name>.*)\); put the file itself in the zip\.",
     "zip 파일에 심볼릭 링크({name})가 있습니다. 링크 대신 파일 자체를 zip에 넣으세요."),
    (r"The zip holds a file with an unusable name \((?P<name>.*)\)\.",
     "zip 파일에 쓸 수 없는 이름의 파일({name})이 있습니다."),
    (r"The zip unpacks to more than (?P<m>\d+) MiB \(or (?P<name>.*) is compressed more than (?P<r>\d+):1\); "
     r"upload the files themselves\.",
     "zip 파일을 풀면 {m} MiB를 넘습니다 (또는 {name}의 압축률이 {r}:1을 넘습니다). 파일 자체를 올리세요."),
    (r"(?P<name>.+) holds no code\.", "{name}에 코드가 없습니다."),
    (r"The notebook could not be read \((?P<why>.*)\); download it again from the assignment page or "
     r"submit a \.py file\.",
     "노트북을 읽을 수 없습니다 ({why}). 과제 페이지에서 다시 내려받거나 .py 파일로 제출하세요."),
    (r"The notebook has no code cells\.", "노트북에 코드 셀이 없습니다."),
    (r"The notebook is not UTF-8 text \(byte (?P<n>\d+)\); download it again from Jupyter\.",
     "노트북이 UTF-8 텍스트가 아닙니다 ({n}번째 바이트). Jupyter에서 다시 내려받으세요."),
    (r"The notebook holds too many JSON arrays and objects; clear its outputs and upload it again\.",
     "노트북에 JSON 배열과 객체가 너무 많습니다. 출력을 지우고 다시 올리세요."),
    (r"The notebook could not be read: its JSON is nested too deeply to be a notebook\.",
     "노트북을 읽을 수 없습니다. JSON이 노트북이라기에는 너무 깊게 중첩되어 있습니다."),
    (r"The notebook could not be read: it is not valid JSON \((?P<t_why>.*)\); download it again from Jupyter "
     r"or submit a \.py file\.",
     "노트북을 읽을 수 없습니다. 올바른 JSON이 아닙니다 ({t_why}). Jupyter에서 다시 내려받거나 .py 파일로 "
     "제출하세요."),
    (r"The notebook's JSON is not an object; is it really a \.ipynb file\?",
     "노트북의 JSON이 객체가 아닙니다. .ipynb 파일이 맞는지 확인하세요."),
    (r"The notebook has no cells\.", "노트북에 셀이 없습니다."),
    (r"The notebook has (?P<n>\d+) cells; the limit is (?P<m>\d+)\.",
     "노트북에 셀이 {n}개 있습니다. 최대 {m}개까지 받습니다."),
    (r"Cell (?P<n>\d+) of the notebook is not a JSON object\.", "노트북의 {n}번째 셀이 JSON 객체가 아닙니다."),
    (r"Cell (?P<n>\d+) of the notebook has a source that is not text \((?P<type>\w+)\)\.",
     "노트북의 {n}번째 셀의 source가 텍스트가 아닙니다 ({type})."),
    (r"The notebook's code holds a character that is not text \((?P<u>U\+[0-9A-F]+), a lone surrogate\); "
     r"remove it and upload again\.",
     "노트북 코드에 텍스트가 아닌 문자({u}, 짝이 없는 서로게이트)가 있습니다. 지우고 다시 올리세요."),
    (r"The notebook's code is (?P<n>\d+) KiB; the limit is (?P<m>\d+) KiB\.",
     "노트북의 코드가 {n} KiB입니다. 최대 {m} KiB까지 받습니다."),
    (r"The notebook's (?P<t_what>.+) are not a JSON array\.", "노트북의 {t_what}이(가) JSON 배열이 아닙니다."),
    (r"The notebook's (?P<t_what>.+) is not a JSON object\.", "노트북의 {t_what}이(가) JSON 객체가 아닙니다."),
    (r"cell (?P<n>\d+)'s metadata", "{n}번째 셀의 metadata"),
    (r"cell (?P<n>\d+)'s nbgrader metadata", "{n}번째 셀의 nbgrader metadata"),
    # ---------------------------------------------------------------- static checks (static_check.py)
    (r"(?P<type>\w+) in (?P<file>[^,\n]+), line (?P<line>\d+): (?P<msg>[^\n]*)(?P<rest>\n.*)?",
     "{file} {line}번째 줄에서 {type}: {msg}{rest}"),
    (r"(?P<file>\S+) cannot be compiled: it is nested too deeply or too large for Python's compiler",
     "{file}을(를) 컴파일할 수 없습니다: 파이썬 컴파일러가 다루기에는 너무 깊게 중첩되었거나 너무 큽니다"),
    (r"(?P<file>\S+) cannot be compiled: (?P<why>.*)", "{file}을(를) 컴파일할 수 없습니다: {why}"),
    (r"(?P<file>\S+) is too large or too complex to check for banned APIs \((?P<t_why>.*); the grader reads at "
     r"most (?P<nodes>\d+) syntax nodes, in (?P<cpu>[\d.]+) s of CPU and (?P<mib>\d+) MiB\)\. Split out data "
     r"and generated code and upload it again\.",
     "{file}이(가) 너무 크거나 복잡해서 금지 API 사용 여부를 검사할 수 없습니다 ({t_why}. 채점기는 구문 노드 "
     "{nodes}개까지, CPU {cpu}초와 메모리 {mib} MiB 안에서 읽습니다). 데이터와 생성된 코드를 분리해서 다시 "
     "올리세요."),
    (r"more than (?P<n>\d+) syntax nodes", "구문 노드가 {n}개를 넘습니다"),
    (r"the scan ran out of time", "검사 시간이 다 되었습니다"),
    (r"more than (?P<s>[\d.]+) s", "{s}초를 넘겼습니다"),
    (r"more than (?P<s>\d+) s of CPU or (?P<m>\d+) MiB of memory", "CPU {s}초 또는 메모리 {m} MiB를 넘겼습니다"),
    # ---------------------------------------------------------------- checks (run_checks.py)
    (r"Banned API (?P<api>\S+) called at runtime \(line (?P<line>\d+)\)\. Implement it yourself; this check "
     r"scores 0\.", "금지된 API {api}를 실행 중에 호출했습니다 ({line}번째 줄). 직접 구현하세요. 이 검사는 0점입니다."),
    (r"Banned API (?P<api>\S+) called at runtime\. Implement it yourself; this check scores 0\.",
     "금지된 API {api}를 실행 중에 호출했습니다. 직접 구현하세요. 이 검사는 0점입니다."),
    (r"(?P<t_why>`[^`]+`,? .+?) \(line (?P<line>\d+)\), which the grader cannot check for banned APIs",
     "{t_why} ({line}번째 줄): 채점기가 금지 API 사용 여부를 확인할 수 없는 방식"),
    (r"`(?P<x>[^`]+)`, a lookup by name", "`{x}`(이름으로 찾는 방식)"),
    (r"`(?P<x>[^`]+)`, a lookup or code built at run time", "`{x}`(실행 중에 찾거나 만드는 코드)"),
    (r"`(?P<x>[^`]+)`, a namespace looked up by name", "`{x}`(이름으로 찾는 네임스페이스)"),
    (r"`(?P<x>[^`]+)`, a private or by-name operator API", "`{x}`(비공개이거나 이름으로 찾는 연산자 API)"),
    (r"`(?P<x>[^`]+)` with a name computed at run time", "`{x}`(실행 중에 계산한 이름으로 찾는 방식)"),
    (r"`(?P<x>[^`]+)` is handed on as a value, so what it reaches cannot be checked",
     "`{x}`을(를) 값으로 넘겨서 무엇에 닿는지 확인할 수 없습니다"),
    (r"(?P<t_what>.+?): the sandbox's record of banned API calls is missing or was tampered with "
     r"\(tripwires: (?P<state>.*)\); this check scores 0",
     "{t_what}: 샌드박스의 금지 API 호출 기록이 없거나 조작되었습니다 (tripwires: {state}). 이 검사는 0점입니다"),
    (r"(?P<name>.+) declares the source encoding (?P<enc>'[^']*'); only UTF-8 is accepted\. Remove the "
     r"`coding:` line and save the file as UTF-8\.",
     "{name}에 소스 인코딩 {enc}이(가) 선언되어 있습니다. UTF-8만 받습니다. `coding:` 줄을 지우고 UTF-8로 저장하세요."),
    (r"(?P<name>.+) has an encoding declaration Python cannot use \((?P<t_why>.*)\); remove it and save the "
     r"file as UTF-8\.", "{name}의 인코딩 선언을 파이썬이 쓸 수 없습니다 ({t_why}). 그 줄을 지우고 UTF-8로 저장하세요."),
    # Python's reasons (tokenize.detect_encoding)
    (r"unknown encoding: (?P<enc>.*)", "알 수 없는 인코딩: {enc}"),
    (r"encoding problem: (?P<enc>.*)", "인코딩 문제: {enc}"),
    (r"invalid or missing encoding declaration", "인코딩 선언이 잘못되었거나 없습니다"),
    (r"Banned API: (?P<t_uses>.*)\. Implement it yourself; this check scores 0\.",
     "금지된 API 사용: {t_uses}. 직접 구현하세요. 이 검사는 0점입니다."),
    (r"`(?P<target>[^`]+)` uses (?P<t_api>.+?)(?P<t_more>; `.*)?", "`{target}`에서 {t_api} 사용{t_more}"),
    (r"; (?P<t_uses>`.*)", "; {t_uses}"),
    (r"(?P<api>\S+) \(line (?P<line>\d+)\)", "{api} ({line}번째 줄)"),
    (r"(?P<api>\S+) \(line (?P<line>\d+): (?P<t_why>.+)\)", "{api} ({line}번째 줄: {t_why})"),
    (r"(?P<api>\S+) \(line (?P<line>\d+)\), (?P<t_more>.*)", "{api} ({line}번째 줄), {t_more}"),
    (r"an expectation of this check was not met", "이 검사의 조건을 만족하지 못했습니다"),
    (r"could not evaluate your result \((?P<why>.*)\)", "제출한 코드의 결과를 평가할 수 없습니다 ({why})"),
    (r"partial credit: (?P<p>\S+)", "부분 점수: {p}"),
    (r"the check returned an unexpected value", "검사가 예상하지 못한 값을 반환했습니다 (과제 작성자에게 알려 주세요)"),
    # ---------------------------------------------------------------- the sandbox (sandbox/proxy.py)
    (r"the submission used up its total time limit of (?P<s>[\d.]+) s before (?P<t_what>.+)",
     "{t_what} 전에 제출물 전체 제한 시간 {s}초를 다 썼습니다"),
    (r"timed out after (?P<s>[\d.e+-]+) s in (?P<t_what>.+?)(?P<t_total> \(the submission's total time limit "
     r"ran out\))?(?P<t_oom>; meanwhile .*?)?(?P<t_budget>; `[^`]+` used up its time budget of [\d.e+-]+ s)?",
     "{t_what} 중 제한 시간 {s}초를 넘겼습니다{t_total}{t_oom}{t_budget}"),
    (r"`(?P<target>[^`]+)` used up its time budget of (?P<s>[\d.e+-]+) s",
     "`{target}`이(가) 시간 예산 {s}초를 다 썼습니다"),
    (r"; `(?P<target>[^`]+)` used up its time budget of (?P<s>[\d.e+-]+) s",
     "; `{target}`이(가) 시간 예산 {s}초를 다 썼습니다"),
    (r" \(the submission's total time limit ran out\)", " (제출물 전체 제한 시간이 끝났습니다)"),
    (r"; meanwhile the kernel killed (?P<n>\d+) of its processes for going over the memory limit "
     r"\((?P<m>\d+) MiB for all its processes\)",
     "; 그동안 메모리 제한(모든 프로세스 합쳐 {m} MiB)을 넘어 커널이 프로세스 {n}개를 종료했습니다"),
    (r"(?P<t_what>.+?): ran out of memory \(limit (?P<m>\d+) MiB\)",
     "{t_what}: 메모리가 부족합니다 (제한 {m} MiB)"),
    (r"(?P<t_what>.+?): the sandbox sent malformed data \((?P<t_why>.*)\)",
     "{t_what}: 샌드박스가 잘못된 형식의 데이터를 보냈습니다 ({t_why})"),
    (r"(?P<t_what>.+?): ran out of GPU memory \(limit (?P<m>\d+) MiB on the GPU\); use smaller batches or free "
     r"tensors you no longer need",
     "{t_what}: GPU 메모리가 부족합니다 (GPU 메모리 제한 {m} MiB). 배치를 줄이거나 더 쓰지 않는 텐서를 해제하세요"),
    (r"(?P<t_what>.+?): unknown op (?P<op>.*)", "{t_what}: 알 수 없는 요청 {op}"),
    (r"(?P<t_what>.+?): the sandbox was restarted after an earlier failure, so an object it held is gone",
     "{t_what}: 앞선 실패로 샌드박스가 다시 시작되어 그 안의 객체가 사라졌습니다"),
    (r"(?P<t_what>.+?): the sandbox was restarted after an earlier failure, so this (?P<type>\S+) object is gone",
     "{t_what}: 앞선 실패로 샌드박스가 다시 시작되어 이 {type} 객체가 사라졌습니다"),
    (r"(?P<t_what>.+?) raised AttributeError: (?P<file>\S+) does not define (?P<name>'[^'\n]*')(?P<trace>\n.*)?",
     "{t_what}: {file}에 {name}이(가) 정의되어 있지 않습니다 (AttributeError){trace}"),
    (r"(?P<t_what>.+?) raised (?P<type>[\w.]+): (?P<msg>[^\n]*)(?P<trace>\n.*)?",
     "{t_what}에서 {type} 예외가 발생했습니다: {msg}{trace}"),
    (r"(?P<t_what>.+?) raised (?P<type>[\w.]+)(?P<trace>\n.*)?", "{t_what}에서 {type} 예외가 발생했습니다{trace}"),
    (r"(?P<type>\w+)\.state_dict\(\) did not return a dict", "{type}.state_dict()가 dict를 반환하지 않았습니다"),
    (r"(?P<name>\S+) changed its argument `(?P<arg>[^`]+)` in place; functions must not mutate their inputs "
     r"\(work on a copy\)",
     "{name}이(가) 인자 `{arg}`를 제자리(in place)에서 바꿨습니다. 함수는 입력을 바꾸면 안 됩니다 (복사본으로 계산하세요)"),
    (r"your code used (?P<n>\S+) MiB of GPU memory; the limit is (?P<m>\d+) MiB",
     "GPU 메모리를 {n} MiB 썼습니다. 제한은 {m} MiB입니다"),
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
    (r"answers\.json is not valid JSON \((?P<t_why>.*)\)", "answers.json이 올바른 JSON이 아닙니다 ({t_why})"),
    (r"answers\.json is (?P<n>\d+) KiB; the limit is (?P<m>\d+) KiB\.",
     "answers.json이 {n} KiB입니다. 최대 {m} KiB까지 받습니다."),
    (r"answers\.json is nested too deeply to be a set of answers\.",
     "answers.json이 답 모음이라기에는 너무 깊게 중첩되어 있습니다."),
    (r'answers\.json must be an object: \{"question id": answer, \.\.\.\}',
     'answers.json은 객체여야 합니다: {{"문항 id": 답, ...}}'),
    # ---------------------------------------------------------------- why a reply was malformed (the `why` above:
    # graders/sandbox/protocol.py, decoding.py, host.py, proxy.py)
    (r"header of (?P<n>\d+) bytes is too large", "헤더가 {n}바이트로 너무 큽니다"),
    (r"(?P<n>\d+) buffers is too many", "버퍼 {n}개는 너무 많습니다"),
    (r"frame larger than (?P<m>\d+) MiB", "프레임이 {m} MiB보다 큽니다"),
    (r"the reply is nested too deeply", "응답이 너무 깊게 중첩되어 있습니다"),
    (r"header is not JSON: (?P<t_why>.*)", "헤더가 JSON이 아닙니다: {t_why}"),
    (r"header is not an object", "헤더가 객체가 아닙니다"),
    (r"a malformed tripwire report", "잘못된 형식의 tripwire 보고"),
    (r"more than (?P<n>\d+) tripwire reports for one request", "한 요청에 대한 tripwire 보고가 {n}개를 넘습니다"),
    (r"the sandbox sent more than one reply", "샌드박스가 응답을 두 번 이상 보냈습니다"),
    (r"the reply holds more than (?P<n>\d+) values", "응답의 값이 {n}개를 넘습니다"),
    (r"the reply holds more than (?P<n>\d+) arrays, objects or markers", "응답의 배열, 객체, 표식이 {n}개를 넘습니다"),
    (r"the reply decodes to more than (?P<m>\d+) MiB", "응답을 풀면 {m} MiB를 넘습니다"),
    (r"array refers to a missing buffer", "배열이 없는 버퍼를 가리킵니다"),
    (r"a buffer is referenced twice", "버퍼 하나를 두 번 가리킵니다"),
    (r"value nested deeper than (?P<n>\d+) levels", "값이 {n}단계보다 깊게 중첩되어 있습니다"),
    (r"unexpected value (?P<type>\w+)", "예상하지 못한 값 {type}"),
    (r"unknown value tag (?P<tag>.*)", "알 수 없는 값 태그 {tag}"),
    (r"a string longer than (?P<n>\d+) characters", "{n}자보다 긴 문자열"),
    (r"a dict of more than (?P<n>\d+) entries", "항목이 {n}개를 넘는 dict"),
    (r"malformed dict item", "잘못된 형식의 dict 항목"),
    (r"a dict key of type (?P<type>\w+) is not allowed", "{type} 타입의 dict 키는 허용되지 않습니다"),
    (r"bad special float", "잘못된 특수 부동소수점 값"),
    (r"bad big integer", "잘못된 큰 정수"),
    (r"bad dtype", "잘못된 dtype"),
    (r"unexpected handle", "예상하지 못한 핸들"),
    (r"bad foreign marker", "잘못된 외부 객체 표식"),
    (r"dtype (?P<dtype>'.*') is not allowed", "dtype {dtype}은(는) 허용되지 않습니다"),
    (r"bad shape", "잘못된 shape"),
    (r"array of shape (?P<shape>.+) and dtype (?P<dtype>\S+) does not match its (?P<n>\d+) bytes",
     "shape {shape}, dtype {dtype}인 배열이 {n}바이트와 맞지 않습니다"),
    (r"an integer out of range", "범위를 벗어난 정수"),
    (r"expected a list", "list여야 합니다"),
    (r"more than (?P<n>\d+) dict keys share one hash", "dict 키 {n}개 넘게 같은 해시를 공유합니다"),
    (r"a reply without `ok`", "`ok`가 없는 응답"),
    (r"a reply without the object's handle", "객체 핸들이 없는 응답"),
    (r"reply field (?P<key>'[^']*') has the wrong type", "응답 필드 {key}의 타입이 잘못되었습니다"),
    (r"reply field (?P<key>'[^']*') is out of range", "응답 필드 {key}의 값이 범위를 벗어났습니다"),
    (r"reply field (?P<key>'[^']*') is not a list of strings", "응답 필드 {key}가 문자열 list가 아닙니다"),
    # ---------------------------------------------------------------- why JSON or UTF-8 could not be read
    # (Python's own wording, passed on by answers.json and notebooks: the `why` above)
    (r"(?P<t_msg>[^\n]+): line (?P<line>\d+) column (?P<col>\d+) \(char (?P<char>\d+)\)",
     "{line}번째 줄 {col}번째 열: {t_msg}"),
    (r"Expecting value", "값이 있어야 합니다"),
    (r"Expecting property name enclosed in double quotes", "큰따옴표로 감싼 속성 이름이 있어야 합니다"),
    (r"Expecting ':' delimiter", "구분자 ':'가 있어야 합니다"),
    (r"Expecting ',' delimiter", "구분자 ','가 있어야 합니다"),
    (r"Unterminated string starting at", "문자열이 끝나지 않았습니다"),
    (r"Invalid control character(?P<c> '.*')? at", "잘못된 제어 문자{c}"),
    (r"Invalid \\escape(?P<e>: .*)?", "잘못된 \\ 이스케이프{e}"),
    # Python's json says "Invalid \\u" + four X's: a \\u escape without four hex digits.
    (r"Invalid \\u[X]{4} escape", "잘못된 \\u 이스케이프 (16진수 네 자리가 아님)"),
    (r"Extra data", "JSON 값 뒤에 다른 데이터가 있습니다"),
    (r"'utf-8' codec can't decode bytes? (?P<b>.+?) in position (?P<n>[\d-]+): .*",
     "{n}번째 위치의 바이트 {b}를 UTF-8로 읽을 수 없습니다"),
    # ---------------------------------------------------------------- a text cut to its limit (graders/text.py)
    (r"\[\.\.\. (?P<n>\d+) more characters cut\]", "[... {n}자를 잘라 냈습니다]"),
)


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p, re.DOTALL), ko) for p, ko in _ENTRIES)


def _korean(en: str, depth: int = 0) -> tuple[str, bool] | None:
    """The Korean of one engine text and whether every part of it was translated (a `t_*` part
    no entry knows stays English), or None when no entry matches it."""
    if depth > 8:                      # a chain of "; `f` uses ..." nests one level per item
        return None
    for pattern, ko in _compiled():
        match = pattern.fullmatch(en)
        if match is None:
            continue
        values, complete = {}, True
        for key, value in match.groupdict().items():
            value = value or ""
            if key.startswith("t_") and value:
                inner = _korean(value, depth + 1)
                complete = complete and inner is not None and inner[1]
                value = inner[0] if inner is not None else value
            values[key] = value
        return ko.format(**values), complete
    return None


def translate(en: str) -> T:
    """`en` with its Korean, when the catalogue knows the text; otherwise English in both."""
    if not en:
        return T("", "")
    found = _korean(en)
    ko = found[0] if found is not None else None
    if ko is None and "\n" in en:
        lines = en.split("\n")
        ko = "\n".join(_line_korean(line) for line in lines)
    return T(en, en if ko is None else ko)


def _line_korean(line: str) -> str:
    found = _korean(line)
    return found[0] if found is not None else line


def knows(en: str) -> bool:
    """Whether the catalogue translates `en` completely (every part it translates in turn too)."""
    found = _korean(en)
    return found is not None and found[1]
