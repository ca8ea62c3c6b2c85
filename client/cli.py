"""`seqlab login | list | submit | status | check`: the student's command line.

Talks to the site's JSON API with a personal token (the site's "API token" page shows it);
`seqlab login` saves the address and the token in the user's config folder. `check` needs no
server: it runs an assignment's public checks on this machine through the grading engine
(`python -m graders grade DIR FILE --public-only`), in its sandbox where the machine has one.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

from . import config
from .api import Api, ClientError
from .local import run_public_checks
from .messages import LANGS, Texts, detect, translate_argparse

PENDING = {"queued", "running"}
WATCH_SECONDS = 1.0


def _print_feedback(sub: dict, t: Texts) -> None:
    fb = sub.get("feedback")
    status = t("status_" + sub["status"]) if sub["status"] in STATUSES else sub["status"]
    print(f"#{sub['number']}  {status}  {sub['url']}")
    for error in sub.get("format_errors") or []:
        print("  " + t("not_gradable", error=error))
    if not fb:
        return
    for test in fb["tests"]:
        mark = t("pass") if test["status"] == "passed" else t("fail")
        print(f"  {mark} {test['number']:>5} {test['name']}  {test['score']:g}/{test['max_score']:g}")
        if test["output"]:
            print("        " + test["output"].replace("\n", "\n        "))
    for group in fb["withheld"]:
        when = (t("when_at", at=group["reveal_at"]) if group["reveal_at"] else
                t("when_never") if group["visibility"] == "hidden" else t("when_published"))
        print("  " + t("hidden_group", checks=group["checks"], points=group["points"], when=when))
    if fb["score"] is not None:
        print(t("score", score=fb["score"], max=fb["max_score"]))
    else:
        print(t("shown_score", score=fb["shown_score"], max=fb["shown_max_score"]))


STATUSES = {"queued", "running", "graded", "rejected", "error"}


def cmd_login(args, t: Texts) -> int:
    token = (args.token or os.environ.get("SEQLAB_TOKEN") or _ask_token(t)).strip()
    Api(args.url, token, t).assignments()              # proves the address and the token first
    path = config.save({"url": args.url, "token": token})
    print(t("logged_in", url=args.url, path=path))
    return 0


def _ask_token(t: Texts) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(t("prompt_token"))
    return sys.stdin.readline()                        # piped: `echo $TOKEN | seqlab login`


def cmd_list(args, t: Texts) -> int:
    rows = _api(args, t).assignments()
    for a in rows:
        title = a["title"].get(t.lang) or a["title"].get("ko") or a["title"].get("en") or ""   # written once
        print(t("list_row", slug=a["slug"], file=a["file"], due=a["due_at"], title=title))
    if not rows:
        print(t("no_assignments"))
    return 0


def cmd_submit(args, t: Texts) -> int:
    api = _api(args, t)
    sub = api.submit(api.offering(args.assignment), [Path(f) for f in args.files])
    print(t("submitted", number=sub["number"], url=sub["url"]))
    return _show(api, sub["id"], watch=not args.no_wait, t=t)


def cmd_status(args, t: Texts) -> int:
    api = _api(args, t)
    if args.target.isdigit() and not args.target.startswith("0"):
        return _show(api, int(args.target), watch=args.watch, t=t)
    offering = api.offering(args.target)
    subs = api.call("GET", f"offerings/{offering['id']}/submissions/")["submissions"]
    if not subs:
        raise ClientError(t("no_submissions"))
    return _show(api, subs[0]["id"], watch=args.watch, t=t)


def _show(api: Api, sub_id: int, *, watch: bool, t: Texts) -> int:
    sub = api.submission(sub_id)
    said = None
    try:
        while watch and sub["status"] in PENDING:
            if sub["status"] != said:                   # say each state once, on stderr
                print(f"#{sub['number']}  {t('status_' + sub['status'])}…", file=sys.stderr)
                said = sub["status"]
            time.sleep(WATCH_SECONDS)
            sub = api.submission(sub_id)
    except KeyboardInterrupt:
        print(t("interrupted", target=sub_id), file=sys.stderr)
        return 130
    _print_feedback(sub, t)
    return 0 if sub["status"] in ("graded", *PENDING) else 1


def cmd_check(args, t: Texts) -> int:
    return run_public_checks(args.assignment, args.file, t)


def _api(args, t: Texts) -> Api:
    return Api(args.url, args.token or os.environ.get("SEQLAB_TOKEN") or args.saved.get("token", ""), t)


def _common(t: Texts, saved: dict, *, top: bool) -> argparse.ArgumentParser:
    """--lang/--url/--token, accepted before or after the command (after wins)."""
    p = argparse.ArgumentParser(add_help=False)
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    p.add_argument("--lang", choices=LANGS, default=default(None), help=t("help_lang"))
    p.add_argument("--url", help=t("help_url"), default=default(
        os.environ.get("SEQLAB_URL") or saved.get("url") or config.DEFAULT_URL))
    p.add_argument("--token", default=default(""), help=t("help_token"))
    return p


def parser(t: Texts, saved: dict) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="seqlab", description=t("description"), parents=[_common(t, saved, top=True)])
    common = [_common(t, saved, top=False)]
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("login", help=t("help_login"), parents=common).set_defaults(func=cmd_login)
    sub.add_parser("list", help=t("help_list"), parents=common).set_defaults(func=cmd_list)
    s = sub.add_parser("submit", help=t("help_submit"), parents=common)
    s.add_argument("assignment", help=t("help_assignment"))
    s.add_argument("files", nargs="+", help=t("help_files"))
    s.add_argument("--no-wait", action="store_true", help=t("help_no_wait"))
    s.set_defaults(func=cmd_submit)
    st = sub.add_parser("status", help=t("help_status"), parents=common)
    st.add_argument("target", help=t("help_target"))
    st.add_argument("--watch", "--wait", dest="watch", action="store_true", help=t("help_watch"))
    st.set_defaults(func=cmd_status)
    c = sub.add_parser("check", help=t("help_check"), parents=common)
    c.add_argument("assignment", help=t("help_assignment"))
    c.add_argument("file", help=t("help_file"))
    c.set_defaults(func=cmd_check)
    return p


def _early_lang(argv: list[str]) -> str | None:
    """`--lang` must be known before argparse writes its help, so read it first."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    t = Texts(detect(_early_lang(argv)))
    translate_argparse(t.lang)
    saved = config.load()
    args = parser(t, saved).parse_args(argv)
    args.saved = saved
    try:
        return args.func(args, t)
    except ClientError as exc:
        print(t("error", message=exc), file=sys.stderr)
        return 2
