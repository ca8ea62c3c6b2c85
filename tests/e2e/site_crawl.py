"""Walk the site as one user in one language: every page linked from the home page, with axe-core,
a check for words of the other language, and screenshots at a phone's and a laptop's width."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlparse

HANGUL = re.compile(r"[\uac00-\ud7a3]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
SKIP_LINKS = re.compile(r"/(logout|i18n|admin)/|/starter/|/source/|/artifacts?/|\.csv$|/csv/|/histogram")
# Words a Korean page may show as they are: the product's name, acronyms, formats, code words.
ENGLISH_OK = {"SeqLab", "Seq", "Lab", "API", "CSV", "PNG", "LaTeX", "Jupyter", "KiB", "ipynb", "pip", "seqlab",
              "login", "list", "check", "submit", "status", "watch", "url", "English", "LMS", "LTI", "NRPS",
              "UTF", "UTF-", "CP949", "Moodle", "Canvas", "Blackboard", "copydetect"}
# Where a page shows code, identifiers, the engine's feedback (its texts are bilingual and checked by
# `graders check`), content its author wrote in one language, or what users typed (answers,
# comments, reasons); an element marked lang="…" declares its language and counts too.
EXEMPT = ("style, script, pre, code, .mono, .highlight, .code-view, .statement, .prompt, .choice, .rubric, .criteria, "
          ".written-answer, .chosen, .check .name, .checklist .name, pre.output, figcaption, .override, "
          "option, textarea, .artifact, math, .check-name, .user-text, [lang]:not(html)")

TEXT_JS = """exempt => {
  const root = document.body.cloneNode(true);
  root.querySelectorAll(exempt).forEach(e => e.remove());
  root.querySelectorAll('.visually-hidden').forEach(e => e.replaceWith(' ' + e.textContent + ' '));
  let attrs = [];
  document.querySelectorAll('[alt],[aria-label],[title],[placeholder]').forEach(e => {
    if (e.closest(exempt)) return;
    for (const a of ['alt', 'aria-label', 'title', 'placeholder']) if (e.getAttribute(a)) attrs.push(e.getAttribute(a));
  });
  return root.innerText + '\\n' + attrs.join('\\n') + '\\n' + document.title;
}"""


def foreign_words(text: str, lang: str, content: set[str]) -> list[str]:
    """Words of the other language on a page in `lang`, once user content (names, files) is removed."""
    for item in sorted(content, key=len, reverse=True):
        text = text.replace(item, " ")
    if lang == "en":
        return HANGUL.findall(text)
    return [w for w in WORD.findall(text) if w not in ENGLISH_OK]


def crawl(page, base: str, visit, *, limit: int = 40) -> list[str]:
    """Same-site GET pages reachable by links from the home page (breadth first, bounded);
    `visit(path)` runs on each page once it has loaded."""
    seen, queue, order = set(), deque(["/"]), []
    while queue and len(order) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base + path)
        assert response and response.ok, f"{path}: HTTP {response.status if response else '?'}"
        order.append(path)
        visit(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc == urlparse(base).netloc and not SKIP_LINKS.search(url.path) and url.path not in seen:
                queue.append(url.path)
    return order


def serious_violations(axe, page) -> list[str]:
    results = axe.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def page_text(page) -> str:
    return page.evaluate(TEXT_JS, EXEMPT)


def horizontal_overflow(page) -> int:
    """How many pixels the page scrolls sideways (tables and code scroll inside their own box)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


WIDEST_JS = """() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0 && !el.closest('.table-wrap, .code-view, pre')) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
               (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
               ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 5);
}"""


def too_wide(page) -> list[str]:
    """The first elements outside a scrolling box that reach past the viewport's right edge."""
    return page.evaluate(WIDEST_JS)
