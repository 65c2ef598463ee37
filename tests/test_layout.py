"""The project's layout, as docs/architecture.md describes it, kept by tests.

The import contracts (which layer may import which) are checked by import-linter in
`.ci/run` (`lint-imports`, contracts in `.importlinter`); these tests keep what a
contract cannot express.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
PRODUCT_PACKAGES = ("cms", "operations", "demo_cooperative")


def _product_modules():
    for package in PRODUCT_PACKAGES:
        for path in sorted((BASE / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_graphql_folder_is_not_a_python_package():
    # A top-level package named graphql would hide graphql-core for every import.
    folder = BASE / "graphql"
    assert folder.is_dir()
    assert not (folder / "__init__.py").exists()
    assert not list(folder.rglob("*.py")), "graphql/ holds the API contract only, no Python"
    assert not (BASE / "graphql.py").exists()


def test_graphql_core_is_the_graphql_imported():
    import graphql

    assert "site-packages" in Path(graphql.__file__).parts, graphql.__file__
    assert hasattr(graphql, "GraphQLSchema")


def test_no_product_module_imports_django_test():
    # Test utilities in product code run in production (the demo once used override_settings).
    importers = []
    for path in _product_modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name == "django.test" or name.startswith("django.test.") for name in names):
                importers.append(str(path.relative_to(BASE)))
    assert importers == []
