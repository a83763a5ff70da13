"""The README points only at files in this repository, and what bench/ imports is installed by bin/run."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"accounts", "bench", "catalog", "orders", "payments", "plazabanten", "procurement", "regions",
                    "vendors"}


def test_the_readme_links_only_to_files_inside_the_repository():
    readme = (ROOT / "README.md").read_text()
    outside = re.findall(r"\.\./[\w./-]+", readme)
    assert outside == [], outside
    assert "docs/architecture.md" in readme
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    assert architecture.startswith("# Plaza Banten — architecture") and "../" not in architecture


def _base_distributions() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = set()
    for requirement in pyproject["project"]["dependencies"]:  # bin/run installs these, not the [test] extra
        names.add(re.split(r"[\[=<>!~ ]", requirement, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_everything_bench_imports_is_installed_by_bin_run():
    providers = {module: {d.lower().replace("_", "-") for d in dists}
                 for module, dists in packages_distributions().items()}
    installed_by_run = _base_distributions()
    missing = []
    for script in sorted((ROOT / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in PROJECT_PACKAGES:
                    continue
                if not providers.get(top, set()) & installed_by_run:
                    missing.append(f"{script.name}: {name}")
    assert missing == [], missing


def test_the_bench_scripts_set_up_the_run_environment_first():
    for script in ("run.sh", "images.sh"):
        text = (ROOT / "bench" / script).read_text()
        assert 'source "$(dirname "${BASH_SOURCE[0]}")/../bin/setup"' in text and "setup_python run" in text
