"""Fixtures the tickets tests share: the two categories the statistics tests count by.

The cast (`cast`) and buildings A and B are tests/conftest.py's."""

from __future__ import annotations

import pytest

from tests.factories import tickets as tf


@pytest.fixture
def water(cast):
    return tf.CategoryFactory(name="Krany i piony", resolution_hours=48)


@pytest.fixture
def power(cast):
    return tf.CategoryFactory(name="Oświetlenie klatek", resolution_hours=48)
