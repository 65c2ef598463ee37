"""The operations the reference portal uses (graphql/operations/) are valid against the
exported schema, and the exported schema is the one the code builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation
from graphql import build_schema, parse, validate
from strawberry.printer import print_schema

from cms.schema import schema

CONTRACT = Path(__file__).resolve().parents[2] / "graphql"
OPERATION_FILES = sorted((CONTRACT / "operations").glob("*.graphql"))


def test_snapshot_matches_the_code():
    with translation.override("en"):
        printed = print_schema(schema)
    assert (CONTRACT / "schema.graphql").read_text().strip() == printed.strip(), (
        "graphql/schema.graphql is stale: run scripts/export_schema.sh"
    )


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_operation_is_valid_against_the_snapshot(path):
    snapshot = build_schema((CONTRACT / "schema.graphql").read_text())
    errors = validate(snapshot, parse(path.read_text()))
    assert not errors, [error.message for error in errors]


def test_there_are_operations():
    assert len(OPERATION_FILES) >= 5
