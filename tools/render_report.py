"""Open a run's Allure report over file:// in headless Chromium, as someone who downloaded the CI artifact would,
and check what it shows: the area → guarantee tree.

    .venv/bin/python tools/render_report.py reports/allure-report/index.html \\
        --screenshot /tmp/report.png --dom /tmp/report.html --expect ENV-02

Writes a screenshot and the rendered DOM, prints the tree it found (area, then its guarantee nodes), and exits 1
when the tree is missing, a guarantee node sits under another area, or an `--expect`ed ID is not in the tree.
Chromium: `apt-get install -y chromium` (about 20 s); `--virtual-time-budget` lets the single-page app load its
embedded data before the shot (without it the screenshot is blank). `$CHROMIUM` names another browser binary.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic")
# Virtual milliseconds Chromium lets the page run before the shot: a full run's report embeds tens of MB of
# evidence, which a loaded machine needs more than the usual 5000 to decode (the shot shows a spinner).
BUDGET_MS = 20000
RENDER_TIMEOUT_SECONDS = 120
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def find_chromium() -> str | None:
    """`$CHROMIUM`, else the first Chromium-like browser on PATH."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def render(chromium: str, index: Path, *, screenshot: Path | None, window: str = "1400,1300",
           budget_ms: int = BUDGET_MS) -> str:
    """The rendered DOM of `index` over file:// (and a screenshot when asked)."""
    url = index.absolute().as_uri()
    with tempfile.TemporaryDirectory(prefix="mfc-chromium-") as profile:
        base = [chromium, *CHROMIUM_FLAGS, f"--virtual-time-budget={budget_ms}", f"--user-data-dir={profile}",
                f"--window-size={window}"]
        if screenshot is not None:
            subprocess.run([*base, f"--screenshot={screenshot}", url], capture_output=True,
                           timeout=RENDER_TIMEOUT_SECONDS, check=False)
        done = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True,
                              timeout=RENDER_TIMEOUT_SECONDS, check=False)
    return done.stdout


def render_tree(chromium: str, index: Path, *, screenshot: Path | None, budget_ms: int = BUDGET_MS
                ) -> tuple[str, RenderedTree]:
    """`render` and `parse_tree`; a page that shows no tree at all is rendered once more with twice the virtual
    time (on a machine busy with other work the app may still be decoding its data when the budget ends; a
    report that never shows its tree fails both times)."""
    dom = render(chromium, index, screenshot=screenshot, budget_ms=budget_ms)
    tree = parse_tree(dom)
    if not tree.areas:
        dom = render(chromium, index, screenshot=screenshot, budget_ms=2 * budget_ms)
        tree = parse_tree(dom)
    return dom, tree


@dataclass
class RenderedTree:
    areas: dict[str, list[str]] = field(default_factory=dict)  # area → the guarantee nodes shown under it
    leaves: int = 0  # tests shown (in expanded nodes)

    def misplaced(self) -> list[str]:
        return [f"{node} under {area}" for area, nodes in self.areas.items() for node in nodes
                if not node.startswith(f"{area}-")]

    def guarantee_ids(self) -> set[str]:
        return {node.split(":", 1)[0] for nodes in self.areas.values() for node in nodes}


class _TreeParser(HTMLParser):
    """Section titles by nesting depth: depth 1 = area nodes, depth 2 = guarantee nodes."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: is it a tree-content container?
        self.depth = 0
        self.in_title = False
        self.title = ""
        self.tree = RenderedTree()
        self.area: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        testid = dict(attrs).get("data-testid")
        if testid == "tree-section-title":
            self.in_title, self.title = True, ""
        if testid == "tree-leaf":
            self.tree.leaves += 1
        if tag in _VOID:
            return
        content = testid == "tree-content"
        self.depth += content
        self.stack.append(content)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.stack:
            return
        if self.in_title:
            self._title_done()
        self.depth -= self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data

    def _title_done(self) -> None:
        self.in_title = False
        title = self.title.strip()
        if self.depth == 1:
            self.area = title
            self.tree.areas.setdefault(title, [])
        elif self.depth == 2 and self.area is not None:
            self.tree.areas[self.area].append(title)


def parse_tree(dom: str) -> RenderedTree:
    parser = _TreeParser()
    parser.feed(dom)
    return parser.tree


def check(tree: RenderedTree, expected: list[str]) -> list[str]:
    problems = []
    if not tree.areas:
        problems.append("no tree rendered (blank page, or the report did not load over file://)")
    problems += [f"misplaced guarantee node: {m}" for m in tree.misplaced()]
    shown = tree.guarantee_ids()
    problems += [f"{i} not in the tree (is its area expanded?)" for i in expected if i not in shown]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path, nargs="?", default=Path("reports/allure-report/index.html"))
    parser.add_argument("--screenshot", type=Path, help="write a PNG of the overview here")
    parser.add_argument("--dom", type=Path, help="write the rendered DOM here")
    parser.add_argument("--expect", action="append", default=[], metavar="ID",
                        help="a guarantee ID that must show in the tree (repeatable)")
    parser.add_argument("--budget-ms", type=int, default=BUDGET_MS,
                        help=f"virtual time the page gets before the shot (default {BUDGET_MS})")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("render_report: no Chromium found (apt-get install -y chromium, or set CHROMIUM)", file=sys.stderr)
        return 2
    if not args.index.exists():
        print(f"render_report: {args.index} does not exist", file=sys.stderr)
        return 2
    dom, tree = render_tree(chromium, args.index, screenshot=args.screenshot, budget_ms=args.budget_ms)
    if args.dom:
        args.dom.write_text(dom, encoding="utf-8")
    for area, nodes in tree.areas.items():
        print(f"{area}: {len(nodes)} guarantee nodes shown" + (f" ({', '.join(n.split(':')[0] for n in nodes)})"
                                                                if nodes else ""))
    print(f"{tree.leaves} tests shown in expanded nodes")
    problems = check(tree, args.expect)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
