"""The layers of the README are enforced: lint-imports (the contracts in pyproject.toml) and a
walk over the code for private names taken from another module, which import-linter cannot see
(it follows modules, not the names read from them)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def our_packages() -> list[str]:
    """The project's packages, as pyproject.toml names them for import-linter."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["root_packages"]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_name_uses(path: Path, module: str, packages: list[str]) -> list[str]:
    """``from other.module import _x``, ``import other._mod`` and ``other_module._x`` in a file.

    A module's own private names are its own business; another module's are not: they are
    what it is free to change without telling anyone.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    bound: dict[str, str] = {}  # local name -> one of our modules it stands for

    def ours(name: str | None) -> bool:
        return bool(name) and name.split(".")[0] in packages

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and ours(node.module):
            if node.module != module and any(_private(p) for p in node.module.split(".")):
                found.append(f"{path}:{node.lineno}: imports private module {node.module}")
            for alias in node.names:
                if _private(alias.name) and node.module != module:
                    found.append(f"{path}:{node.lineno}: {node.module}.{alias.name}")
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if ours(alias.name):
                    if any(_private(p) for p in alias.name.split(".")):
                        found.append(f"{path}:{node.lineno}: imports private module {alias.name}")
                    bound[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and bound[node.value.id] != module
            and is_module(bound[node.value.id])
        ):
            found.append(f"{path}:{node.lineno}: {bound[node.value.id]}.{node.attr}")
    return found


def is_module(dotted: str) -> bool:
    """Whether a dotted name is one of our modules (not a class or function taken from one)."""
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_no_module_uses_another_modules_private_names():
    packages = our_packages()
    found = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found += private_name_uses(path, module_name(path), packages)
    assert found == []


def test_the_private_name_check_sees_each_form(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from ingest import pipeline\n"
        "from ingest.pipeline import _rejected\n"
        "import ingest.pipeline as p\n"
        "pipeline._create_item()\n"
        "p._rejected()\n"
        "pipeline.submit()\n",
        encoding="utf-8",
    )
    found = private_name_uses(sample, "scanning.stack", ["ingest", "scanning"])
    assert [line.split(": ", 1)[1] for line in found] == [
        "ingest.pipeline._rejected",
        "ingest.pipeline._create_item",
        "ingest.pipeline._rejected",
    ]


def run_lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_code(target: Path) -> Path:
    """The project's packages and pyproject.toml (Python files only) under ``target``."""
    for package in our_packages():
        shutil.copytree(
            ROOT / package,
            target / package,
            ignore=lambda folder, names: [
                n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_contracts_hold_today():
    result = run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imported", "contract"),
    [
        ("archive/filing.py", "ingest.pipeline", "Paper: scanning above ingest"),
        ("ingest/linking.py", "scanning.separators", "Paper: scanning above ingest"),
        ("loans/__init__.py", "retention", "Apps beside the paper path: on search"),
        ("archive/models/item.py", "push.platform", "Apps beside the paper path: on search"),
        ("push/platform.py", "ingest.pipeline", "do not import ingest or scanning"),
        ("consistency/__init__.py", "ingest", "do not import ingest or scanning"),
        ("search/service.py", "config.settings", "No app imports the project package"),
    ],
)
def test_a_sideways_import_breaks_a_contract(tmp_path, module, imported, contract):
    root = copy_of_the_code(tmp_path)
    path = root / module
    path.write_text(path.read_text(encoding="utf-8") + f"\nimport {imported}  # noqa\n")
    result = run_lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert len(broken) >= 1 and any(contract in line for line in broken), result.stdout
