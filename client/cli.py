"""`python -m client list | submit | status | check`: the student's command line.

Talks to the site's JSON API with a personal token (shown on the site's "API token" page):
    export SEQLAB_URL=https://seqlab.example.edu SEQLAB_TOKEN=...
`check` needs no server: it runs an assignment's public checks on this machine through the
grading engine (`python -m graders grade DIR FILE --public-only`).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

PENDING = {"queued", "running"}


class ClientError(Exception):
    pass


class Api:
    def __init__(self, url: str, token: str):
        if not token:
            raise ClientError("set SEQLAB_TOKEN (the site's API token page shows yours)")
        self.url, self.session = url.rstrip("/"), requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, f"{self.url}/api/{path}", timeout=30, **kwargs)
        except requests.RequestException as exc:
            raise ClientError(f"cannot reach {self.url}: {exc}") from exc
        data = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        if response.status_code >= 400:
            raise ClientError(data.get("detail") or f"HTTP {response.status_code}")
        return data

    def offering(self, slug: str) -> dict:
        matches = [a for a in self.call("GET", "assignments/")["assignments"] if a["slug"] == slug or str(a["id"]) == slug]
        if not matches:
            raise ClientError(f"no open assignment called {slug!r} (try: python -m client list)")
        return matches[0]


def _print_feedback(sub: dict) -> None:
    fb = sub.get("feedback")
    print(f"#{sub['number']}  {sub['status']}  {sub['url']}")
    for error in sub.get("format_errors") or []:
        print(f"  not gradable: {error}")
    if not fb:
        return
    for t in fb["tests"]:
        mark = "PASS" if t["status"] == "passed" else "FAIL"
        print(f"  {mark} {t['number']:>5} {t['name']}  {t['score']:g}/{t['max_score']:g}")
        if t["output"]:
            print("        " + t["output"].replace("\n", "\n        "))
    for g in fb["withheld"]:
        when = g["reveal_at"] or ("never" if g["visibility"] == "hidden" else "when grades are published")
        print(f"  hidden {g['checks']} check(s), {g['points']:g} pt: shown {when}")
    total = fb["score"] if fb["score"] is not None else None
    print(f"score: {total:g}/{fb['max_score']:g}" if total is not None
          else f"shown checks: {fb['shown_score']:g}/{fb['shown_max_score']:g} (total shown later)")


def cmd_list(api: Api, args) -> int:
    for a in api.call("GET", "assignments/")["assignments"]:
        print(f"{a['slug']:24} {a['file']:16} due {a['due_at']}  {a['title']['ko']}")
    return 0


def cmd_submit(api: Api, args) -> int:
    offering = api.offering(args.assignment)
    path = Path(args.file)
    with path.open("rb") as handle:
        sub = api.call("POST", f"offerings/{offering['id']}/submissions/", files={"file": (path.name, handle)})
    print(f"submitted #{sub['number']}: {sub['url']}")
    return cmd_status(api, argparse.Namespace(target=str(sub["id"]), wait=not args.no_wait))


def cmd_status(api: Api, args) -> int:
    if args.target.isdigit() and not args.target.startswith("0"):
        sub_id = int(args.target)
    else:
        offering = api.offering(args.target)
        subs = api.call("GET", f"offerings/{offering['id']}/submissions/")["submissions"]
        if not subs:
            raise ClientError("no submissions yet")
        sub_id = subs[0]["id"]
    sub = api.call("GET", f"submissions/{sub_id}/")
    while args.wait and sub["status"] in PENDING:
        time.sleep(1)
        sub = api.call("GET", f"submissions/{sub_id}/")
    _print_feedback(sub)
    return 0 if sub["status"] in ("graded", *PENDING) else 1


def cmd_check(_api, args) -> int:
    folder = Path(args.assignment)
    if not folder.is_dir():
        folder = Path(os.environ.get("SEQLAB_ASSIGNMENTS", "assignments")) / args.assignment
    if not (folder / "assignment.toml").is_file():
        raise ClientError(f"{args.assignment}: no assignment folder here (pass its path)")
    command = [sys.executable, "-m", "graders", "grade", str(folder), args.file, "--public-only"]
    return subprocess.call(command)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m client", description=__doc__.split("\n")[0])
    p.add_argument("--url", default=os.environ.get("SEQLAB_URL", "http://127.0.0.1:8000"))
    p.add_argument("--token", default=os.environ.get("SEQLAB_TOKEN", ""))
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="open assignments").set_defaults(func=cmd_list)
    s = sub.add_parser("submit", help="submit a file and wait for the score")
    s.add_argument("assignment"), s.add_argument("file")
    s.add_argument("--no-wait", action="store_true")
    s.set_defaults(func=cmd_submit)
    st = sub.add_parser("status", help="an assignment's latest submission, or a submission id")
    st.add_argument("target"), st.add_argument("--wait", action="store_true")
    st.set_defaults(func=cmd_status)
    c = sub.add_parser("check", help="run the public checks on this machine")
    c.add_argument("assignment"), c.add_argument("file")
    c.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        api = None if args.command == "check" else Api(args.url, args.token)
        return args.func(api, args)
    except ClientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
