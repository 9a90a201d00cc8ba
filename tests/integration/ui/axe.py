"""Accessibility check of the page a test is on: the vendored axe-core run inside the page.

axe.min.js is evaluated through the DevTools protocol (Playwright's evaluate), which the pages'
Content-Security-Policy does not govern, so the console's own CSP stays as strict as it is.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def violations(page, impacts: tuple[str, ...] = SERIOUS) -> list[dict]:
    """The page's axe-core violations of these impacts: [{id, impact, help, targets}]."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in impacts]


def assert_accessible(page, where: str) -> None:
    found = violations(page)
    assert not found, f"{where}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in found)
