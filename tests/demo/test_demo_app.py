"""The demo is an app of its own: the product does not import it, it imports no test
utilities, and the home app no longer depends on the operations apps through it."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def imported_modules(package: str):
    """(file, module) for every import in the package's Python files, migrations aside."""
    for path in sorted((BASE / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                yield str(path.relative_to(BASE)), name


def starts(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_demo_is_an_installed_app_with_the_command():
    assert apps.get_app_config("demo_cooperative").name == "demo_cooperative"
    assert (BASE / "demo_cooperative/management/commands/load_demo_data.py").is_file()
    assert not (BASE / "cms/home/demo").exists()
    assert not (BASE / "cms/home/management/commands/load_demo_data.py").exists()


def test_the_demo_imports_no_test_utilities():
    assert [(path, name) for path, name in imported_modules("demo_cooperative") if starts(name, "django.test")] == []


def test_no_product_module_imports_the_demo():
    importers = [
        (path, name)
        for package in ("cms", "operations")
        for path, name in imported_modules(package)
        if starts(name, "demo_cooperative")
    ]
    assert importers == []


def test_the_home_app_does_not_import_the_operations_apps():
    assert [(path, name) for path, name in imported_modules("cms/home") if starts(name, "operations")] == []
