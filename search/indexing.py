"""Indexing follows publishing (placeholder until the signals land)."""


def connect() -> None:
    pass
