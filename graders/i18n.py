"""Texts in Korean and English: every word a student or TA reads from the engine.

`T(en, ko)` is a text in both languages. It *is* the English `str` (so code that logs,
joins or compares messages keeps working), and carries its Korean twin and the named
mistakes (`Mistake`) it mentions. Concatenation (`+`), `T.format(...)` and `T.join(...)`
keep both languages and the mistakes; an f-string does not (it sees only the English),
so messages with values are written as `T(en, ko).format(...)`:

    fail(T("{what}: expected shape {want}, got {got}",
           "{what}: 형태가 {want}이어야 하는데 {got}입니다").format(what=what, want=..., got=...))

Texts the engine's stages and sandbox produce as plain English strings are translated by
the catalogue in graders/i18n_catalogue.py (matched by the English text), so those modules
need not import this one.

`Mistake(id, en, ko)` is a named mistake: a text with a stable identifier
`<assignment slug>/<kebab-case name>` that results carry as data.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

LANGS = ("ko", "en")
DEFAULT_LANG = "en"
MISTAKE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


class T(str):
    """A text in English (the str value) and Korean (`.ko`), with the mistakes it names."""

    ko: str
    mistakes: tuple["Mistake", ...]

    def __new__(cls, en: str, ko: str, mistakes: Iterable["Mistake"] = ()) -> "T":
        obj = super().__new__(cls, en)
        obj.ko = str(ko)
        obj.mistakes = _unique(mistakes)
        return obj

    @property
    def en(self) -> str:
        return str.__str__(self)

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def i18n(self) -> dict[str, str]:
        return {"ko": self.ko, "en": self.en}

    def __reduce__(self) -> tuple[Any, ...]:
        return (T, (self.en, self.ko, self.mistakes))

    def __repr__(self) -> str:
        return f"T({self.en!r}, {self.ko!r})"

    def __add__(self, other: Any) -> "T":          # type: ignore[override]
        o = text(other)
        return T(self.en + o.en, self.ko + o.ko, self.mistakes + o.mistakes)

    def __radd__(self, other: Any) -> "T":
        o = text(other)
        return T(o.en + self.en, o.ko + self.ko, o.mistakes + self.mistakes)

    def format(self, *args: Any, **kwargs: Any) -> "T":  # type: ignore[override]
        """Format both languages; T arguments give each language its own text."""
        found = [v for v in list(args) + list(kwargs.values()) if isinstance(v, T)]
        mistakes = self.mistakes + tuple(m for v in found for m in v.mistakes)

        def pick(lang: str, v: Any) -> Any:
            return v.get(lang) if isinstance(v, T) else v
        en = self.en.format(*[pick("en", a) for a in args], **{k: pick("en", v) for k, v in kwargs.items()})
        ko = self.ko.format(*[pick("ko", a) for a in args], **{k: pick("ko", v) for k, v in kwargs.items()})
        return T(en, ko, mistakes)

    def join(self, items: Iterable[Any]) -> "T":  # type: ignore[override]
        parts = [text(i) for i in items]
        return T(self.en.join(p.en for p in parts), self.ko.join(p.ko for p in parts),
                 tuple(m for p in parts for m in p.mistakes))

    def cut(self, limit: int) -> "T":
        """Both languages cut to `limit` characters (results bound every text)."""
        return T(self.en[:limit], self.ko[:limit], self.mistakes)


class Mistake(T):
    """A named mistake: a stable id (`attention/no-scale`) and its text in both languages."""

    id: str

    def __new__(cls, id: str, en: str, ko: str) -> "Mistake":  # noqa: A002 - the contract's name
        obj = T.__new__(cls, en, ko)
        obj.id = id
        obj.mistakes = (obj,)
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (Mistake, (self.id, self.en, self.ko))

    def __repr__(self) -> str:
        return f"Mistake({self.id!r})"

    def format(self, *args: Any, **kwargs: Any) -> "Mistake":  # type: ignore[override]
        """The same mistake, its texts filled with this case's values (e.g. shapes)."""
        filled = T(self.en, self.ko).format(*args, **kwargs)
        return Mistake(self.id, filled.en, filled.ko)

    def as_json(self, check: str) -> dict[str, str]:
        return {"id": self.id, "check": check, "ko": self.ko, "en": self.en}


def _unique(mistakes: Iterable["Mistake"]) -> tuple["Mistake", ...]:
    seen: dict[str, Mistake] = {}
    for m in mistakes:
        seen.setdefault(m.id, m)
    return tuple(seen.values())


def text(value: Any) -> T:
    """`value` as a T: a T as is, anything else through the catalogue of engine texts."""
    if isinstance(value, T):
        return value
    from graders.i18n_catalogue import translate
    return translate("" if value is None else str(value))


def same(value: Any) -> T:
    """A text that reads the same in both languages (code, numbers, file names)."""
    return T(str(value), str(value))


def message_of(exc: BaseException) -> T:
    """The bilingual message of a CheckFailure (or of any exception raised as one)."""
    arg = exc.args[0] if len(exc.args) == 1 else str(exc)
    return text(arg)


def localize(value: Any, lang: str) -> str:
    return text(value).get(lang)


def lang_or_default(lang: str | None) -> str:
    if lang not in (None, *LANGS):
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return lang or DEFAULT_LANG


def has_hangul(value: str) -> bool:
    return bool(HANGUL.search(value))
