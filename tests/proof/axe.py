"""axe-core (npm, installed by bin/test into var/lighthouse) in a Playwright page.

The CSP (script-src 'self') blocks injected <script> tags, so the source is evaluated through the DevTools protocol
(page.evaluate), which the CSP does not govern."""

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent.parent.parent / "var/lighthouse/node_modules/axe-core/axe.min.js"


@cache
def _axe_source() -> str:
    return AXE_JS.read_text()


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\s+/g, " "))}));
    }""")


def assert_no_serious_axe_violations(page) -> None:
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe on {page.url}:\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["targets"][:5]) for v in serious)
