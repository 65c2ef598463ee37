"""The directory search offered to the content apps' lists (placeholder)."""


def register() -> None:
    pass
