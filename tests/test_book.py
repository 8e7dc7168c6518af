"""The built book as a reader sees it, checked on the HTML and in headless Chromium.

The book is built once (strictly: zero warnings) into a temporary folder; set COURSE_BOOK_HTML to
the ``html`` folder of an existing build to check that one instead. The browser checks run
Debian's Chromium (``/usr/bin/chromium``, or COURSE_CHROMIUM) through playwright with every
request that leaves this machine blocked, so they also prove the book works offline. They are
skipped when Chromium is missing, except in CI (``CI`` set), where that is a failure.

    python -m tests.test_book _build/html     # print the per-page measurements
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
BOOK_HTML_VARIABLE = "COURSE_BOOK_HTML"
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 768}
NARROW = {"width": 390, "height": 844}
ASPECT_TOLERANCE = 0.02
SOLUTION_MARKER = re.compile(r"###\s*(BEGIN|END)\s+SOLUTION")
WIDGET_MANAGER = re.compile(r"html-manager|embed-amd|require(\.min)?\.js|jupyter-widgets")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


# --- the build ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built book's html folder: COURSE_BOOK_HTML, or a strict build made once here."""
    if reuse := os.environ.get(BOOK_HTML_VARIABLE):
        folder = Path(reuse).resolve()
        assert (folder / "index.html").is_file(), f"{BOOK_HTML_VARIABLE}={reuse} has no index.html"
        return folder
    output = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "--path-output", str(output),
               "--warningiserror", "--nitpick", "--keep-going"]
    built = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    log = built.stdout + built.stderr
    assert built.returncode == 0, f"the strict book build failed:\n{log[-4000:]}"
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert not warnings, "the book build warned:\n" + "\n".join(warnings[:20])
    return output / "_build" / "html"


def _pages(book_html: Path) -> list[Path]:
    """Every content page of the built book (not the search and index pages)."""
    skip = {"search.html", "genindex.html"}
    return sorted(p for p in book_html.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts
                  and not _is_redirect(p))


def _is_redirect(page: Path) -> bool:
    """True for a page that only forwards the browser elsewhere (the root index.html)."""
    return 'http-equiv="Refresh"' in page.read_text(encoding="utf-8")[:2000]


@functools.lru_cache(maxsize=None)
def _soup(page: Path) -> BeautifulSoup:
    """The page parsed once (the checks below read every page several times)."""
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def _name(page: Path, book_html: Path) -> str:
    return page.relative_to(book_html).as_posix()


# --- the book's Sphinx extension (book/_ext/course_book.py), without a build -------------------


def _extension():
    spec = importlib.util.spec_from_file_location("course_book", ROOT / "book" / "_ext" / "course_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_solution_markers_are_stripped_and_the_code_kept() -> None:
    code = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n# ### BEGIN SOLUTION?"
    assert _extension().strip_solution_markers(code) == "def f(x):\n    return x\n# ### BEGIN SOLUTION?"


def test_a_cdn_icon_font_link_is_recognised() -> None:
    html = ('<link rel="stylesheet"\nhref="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/'
            'font-awesome.min.css">\n<script>player()</script>')
    assert _extension().REMOTE_ICON_FONT.sub("", html) == "<script>player()</script>"


# --- the HTML ----------------------------------------------------------------------------------


def test_every_toc_entry_has_a_page(book_html: Path) -> None:
    # (that every notebook is in _toc.yml is tests/test_notebooks_static.py's check)
    built = {_name(p, book_html) for p in _pages(book_html)}
    listed = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
    assert len(listed) > 5, "_toc.yml lists too few files: the checks below would prove little"
    missing = [entry for entry in listed if f"{entry}.html" not in built]
    assert not missing, f"listed in _toc.yml but not in the built book: {missing}"


def test_no_solution_markers(book_html: Path) -> None:
    shown = [_name(p, book_html) for p in _pages(book_html)
             if SOLUTION_MARKER.search(p.read_text(encoding="utf-8"))]
    assert not shown, f"pages showing ### BEGIN/END SOLUTION markers: {shown}"


def _normalised(text: str) -> str:
    """Lower case, letters and digits only: "Part I: Foundations" == "Part I · Foundations"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


def test_sidebar_lists_each_entry_once(book_html: Path) -> None:
    for page in _pages(book_html):
        nav = _soup(page).select_one("nav.bd-docs-nav")
        assert nav is not None, f"{_name(page, book_html)}: no sidebar navigation"
        entries = [_normalised(e.get_text(" ")) for e in nav.select("p.caption, a.reference")]
        repeated = sorted({e for e in entries if entries.count(e) > 1})
        assert not repeated, f"{_name(page, book_html)}: sidebar lists these twice: {repeated}"


def test_one_search_box(book_html: Path) -> None:
    for page in _pages(book_html):
        soup = _soup(page)
        boxes = soup.select(".search-button-field, input[type=search]:not(.bd-search input)")
        header = soup.select_one("#pst-header")
        in_header = header.select(".search-button-field, .search-button") if header else []
        where = _name(page, book_html)
        assert len(boxes) == 1, f"{where}: {len(boxes)} search boxes, expected the sidebar's one"
        assert not in_header, f"{where}: a search box in the header band above the page"


def test_no_widget_manager_or_state(book_html: Path) -> None:
    for page in _pages(book_html):
        soup = _soup(page)
        where = _name(page, book_html)
        sources = [s.get("src", "") for s in soup.find_all("script")]
        loaded = [s for s in sources if WIDGET_MANAGER.search(s)]
        assert not loaded, f"{where} loads widget JavaScript nothing uses: {loaded}"
        state = soup.find_all("script", attrs={"type": WIDGET_STATE})
        assert not state, f"{where} embeds widget state nothing reads"


def test_scripts_and_styles_are_served_with_the_book(book_html: Path) -> None:
    for page in _pages(book_html):
        soup = _soup(page)
        remote = [s["src"] for s in soup.find_all("script", src=True) if "://" in s["src"]]
        remote += [link["href"] for link in soup.find_all("link", rel="stylesheet", href=True)
                   if "://" in link["href"]]
        assert not remote, f"{_name(page, book_html)} needs the network for: {remote}"


def test_mathjax_is_local(book_html: Path) -> None:
    pages_with_math = [p for p in _pages(book_html) if _soup(p).select(".math")]
    assert pages_with_math, "no page has math: the check below would prove nothing"
    for page in pages_with_math:
        scripts = [s["src"] for s in _soup(page).find_all("script", src=True)]
        mathjax = [s for s in scripts if "mathjax" in s.lower()]
        assert mathjax, f"{_name(page, book_html)} has math but loads no MathJax"
        local = (page.parent / mathjax[0].split("?")[0]).resolve()
        assert local.is_file(), f"{_name(page, book_html)}: MathJax not served with the book"


def test_solution_label_matches_intro(book_html: Path) -> None:
    labels = set()
    for page in _pages(book_html):
        for cell in _soup(page).select("div.cell.tag_solution"):
            label = cell.select_one("summary .collapsed")
            assert label is not None, f"{_name(page, book_html)}: a solution cell is not folded"
            labels.add(label.get_text(strip=True))
    assert labels, "no folded solution cell in the book"
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    said = re.findall(r'solutions are folded away under "([^"]+)"', intro)
    assert said, 'book/intro.md should say which button opens a solution: under "..."'
    assert set(said) <= labels, f"intro names {said}, the book's buttons say {sorted(labels)}"


# --- in the browser ----------------------------------------------------------------------------


def _chromium_or_skip() -> Path:
    """Chromium's path; skip (or fail in CI) when it or playwright is missing."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"Chromium ({CHROMIUM}; `apt-get install -y chromium`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright (requirements.txt)")
    if missing:
        message = "browser checks of the book need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) for the duration; yield its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


# Runs in the page: open every folded cell, wait for images and MathJax, then measure.
MEASURE_JS = """
async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(done => { img.onload = img.onerror = done; })));
  const mathElements = [...document.querySelectorAll('.bd-article .math')];
  if (mathElements.length) {
    for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
      await new Promise(done => setTimeout(done, 50));
    if (window.MathJax && MathJax.startup && MathJax.startup.promise)
      await MathJax.startup.promise;
  }
  const visible = el => el.getClientRects().length > 0;
  const article = document.querySelector('.bd-article') || document.body;
  const prose = [...article.querySelectorAll('p, li, td, th, dd, dt, h1, h2, h3, h4')]
      .filter(el => !el.closest('.cell_output, pre, code, mjx-container'))
      .map(el => el.innerText).join('\\n');
  const header = document.querySelector('#pst-header');
  return {
    images: [...document.images].filter(visible).map(img => ({
      src: img.currentSrc || img.src, natural: [img.naturalWidth, img.naturalHeight],
      shown: [img.getBoundingClientRect().width, img.getBoundingClientRect().height]})),
    pres: [...article.querySelectorAll('div.cell pre')].filter(visible).map(pre => ({
      kind: pre.closest('.cell_output') ? 'output' : 'input',
      scroll: pre.scrollWidth, client: pre.clientWidth,
      line: (pre.innerText.split('\\n').sort((a, b) => b.length - a.length)[0] || '').slice(0, 120)})),
    outputs: [...article.querySelectorAll('div.cell_output > *')].filter(visible).map(out => ({
      scroll: out.scrollWidth, client: out.clientWidth,
      text: (out.innerText || '').trim().split('\\n')[0].slice(0, 120)})),
    math: mathElements.length,
    typeset: mathElements.filter(el => el.querySelector('mjx-container')).length,
    mathErrors: article.querySelectorAll('mjx-merror').length,
    rawTex: (prose.match(/\\\\\\(|\\\\\\[|\\$\\$/g) || []).length,
    headerHeight: header ? header.getBoundingClientRect().height : 0,
    searchBoxes: [...document.querySelectorAll('.search-button-field')].filter(visible).length,
    bytes: performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
        .reduce((total, entry) => total + (entry.encodedBodySize || 0), 0),
  };
}
"""

RESIZE_JS = """
async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const visible = el => el.getClientRects().length > 0;
  return [...document.images].filter(visible).map(img => ({
    src: img.currentSrc || img.src, natural: [img.naturalWidth, img.naturalHeight],
    shown: [img.getBoundingClientRect().width, img.getBoundingClientRect().height]}));
}
"""


def measure_pages(book_html: Path, chromium: Path = CHROMIUM) -> dict[str, dict]:
    """Open every page offline at laptop width, then narrow; return what each one shows."""
    from playwright.sync_api import sync_playwright

    reports: dict[str, dict] = {}
    with _serve(book_html) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=LAPTOP)
            blocked: list[tuple[str, str]] = []

            def only_this_machine(route, request) -> None:
                if request.url.startswith(base_url) or request.url.startswith("data:"):
                    route.continue_()
                else:
                    blocked.append((request.resource_type, request.url))
                    route.abort()

            context.route("**/*", only_this_machine)
            page = context.new_page()
            for path in _pages(book_html):
                name = _name(path, book_html)
                blocked.clear()
                page.set_viewport_size(LAPTOP)
                page.goto(base_url + name, wait_until="load")
                report = page.evaluate(MEASURE_JS)
                report["laptop_images"] = report.pop("images")
                page.set_viewport_size(NARROW)
                report["narrow_images"] = page.evaluate(RESIZE_JS)
                report["blocked"] = list(blocked)
                reports[name] = report
        finally:
            browser.close()
    return reports


@pytest.fixture(scope="session")
def shown(book_html: Path) -> dict[str, dict]:
    """What every page shows in Chromium, offline (measured once for all the checks below)."""
    return measure_pages(book_html, _chromium_or_skip())


def _aspect_error(image: dict) -> float:
    (natural_w, natural_h), (shown_w, shown_h) = image["natural"], image["shown"]
    return abs((shown_w / shown_h) / (natural_w / natural_h) - 1.0)


def _local(image: dict) -> bool:
    return image["src"].startswith("http://127.0.0.1") or image["src"].startswith("data:")


@pytest.mark.parametrize("width", ["laptop", "narrow"])
def test_figures_keep_their_aspect_ratio(shown: dict[str, dict], width: str) -> None:
    stretched, broken = [], []
    for page, report in shown.items():
        for image in report[f"{width}_images"]:
            if image["natural"][0] == 0:
                if _local(image):
                    broken.append(f"{page}: {image['src'][-60:]}")
                continue
            if image["shown"][1] and _aspect_error(image) > ASPECT_TOLERANCE:
                stretched.append(f"{page}: {image['src'][-24:]} natural {image['natural']} "
                                 f"shown {[round(v) for v in image['shown']]}")
    assert not broken, f"images that do not load: {broken}"
    assert not stretched, f"{len(stretched)} figures stretched at {width} width:\n" + "\n".join(stretched)


def test_math_renders_offline(shown: dict[str, dict]) -> None:
    assert sum(r["math"] for r in shown.values()), "no math in the book: the check proves nothing"
    for page, report in shown.items():
        assert report["typeset"] == report["math"], (
            f"{page}: {report['math'] - report['typeset']} of {report['math']} formulas not typeset")
        assert not report["mathErrors"], f"{page}: {report['mathErrors']} MathJax errors"
        assert not report["rawTex"], f"{page}: raw LaTeX delimiters left in the text"


@pytest.mark.parametrize("kind", ["input", "output"])
def test_no_code_or_output_scrolls_sideways(shown: dict[str, dict], kind: str) -> None:
    wide = [f"{page}: {pre['line']!r}" for page, report in shown.items()
            for pre in report["pres"] if pre["kind"] == kind and pre["scroll"] > pre["client"] + 1]
    assert not wide, f"{len(wide)} code {kind}s wider than the page:\n" + "\n".join(wide[:30])


def test_no_output_is_wider_than_the_column(shown: dict[str, dict]) -> None:
    wide = [f"{page}: {out['scroll']} px in {out['client']} px: {out['text']!r}"
            for page, report in shown.items() for out in report["outputs"]
            if out["scroll"] > out["client"] + 1]
    assert not wide, f"{len(wide)} outputs wider than the page:\n" + "\n".join(wide[:30])


def test_one_visible_search_box_and_no_header_band(shown: dict[str, dict]) -> None:
    for page, report in shown.items():
        assert report["searchBoxes"] == 1, f"{page}: {report['searchBoxes']} search boxes shown"
        assert report["headerHeight"] == 0, f"{page}: a {report['headerHeight']} px header band"


def test_nothing_but_images_is_fetched_from_the_network(shown: dict[str, dict]) -> None:
    for page, report in shown.items():
        needed = [url for kind, url in report["blocked"] if kind != "image"]
        assert not needed, f"{page} needs the network for: {needed}"


def _summary(reports: dict[str, dict]) -> str:
    """One line per page: figures stretched, code/outputs scrolling, math typeset, weight."""
    lines = []
    for page, report in reports.items():
        stretched = {w: sum(1 for i in report[f"{w}_images"] if i["natural"][0] and i["shown"][1]
                            and _aspect_error(i) > ASPECT_TOLERANCE) for w in ("laptop", "narrow")}
        figures = sum(1 for i in report["laptop_images"] if i["natural"][0])
        scrolling = {k: sum(1 for p in report["pres"] if p["kind"] == k
                            and p["scroll"] > p["client"] + 1) for k in ("input", "output")}
        cells = {k: sum(1 for p in report["pres"] if p["kind"] == k) for k in ("input", "output")}
        lines.append(
            f"{page:58s} images {figures:2d} stretched {stretched['laptop']:2d}/{stretched['narrow']:2d}"
            f"  code scrolls {scrolling['input']:2d}/{cells['input']:2d}"
            f"  outputs {scrolling['output']:2d}/{cells['output']:2d}"
            f"  math {report['typeset']}/{report['math']}  {report['bytes'] / 1e6:.2f} MB"
            f"  blocked {len(report['blocked'])}")
    return "\n".join(lines)


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "_build" / "html").resolve()
    measured = measure_pages(folder)
    print(_summary(measured))
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(json.dumps(measured, indent=1))
