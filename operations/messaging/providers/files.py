"""The embedded default for SMS and push: messages written as JSON files, nothing sent."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .base import OutgoingMessage, Provider, TemporaryFailure

_SAFE_FILE_STEM = re.compile(r"[A-Za-z0-9_.-]{1,100}")


class JsonFileProvider(Provider):
    """Writes each message as one JSON file under `MESSAGING_FILE_DIR/<folder>`.

    The file is named after the idempotency key, so sending the same delivery twice
    overwrites one file instead of leaving two: what a provider that refuses duplicates
    would do. The setting is read at send time so tests (and operators) can move it.
    """

    folder = ""

    def payload(self, message: OutgoingMessage) -> dict:
        raise NotImplementedError

    def check_address(self, address: str) -> None:
        """Refuse addresses the real provider would refuse, so a bad address bounces here too."""

    def send(self, message: OutgoingMessage) -> str:
        self.check_address(message.address)
        stem = _file_stem(message.idempotency_key)
        directory = Path(settings.MESSAGING_FILE_DIR) / self.folder
        content = {
            **self.payload(message),
            "idempotency_key": message.idempotency_key,
            "created_at": timezone.now().isoformat(),
        }
        try:
            directory.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed, so whoever reads the folder never sees half a file.
            partial = directory / f".{stem}.{uuid.uuid4().hex}.tmp"
            partial.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
            os.replace(partial, directory / f"{stem}.json")
        except OSError as error:
            raise TemporaryFailure(f"cannot write message file: {error}") from error
        return stem


def _file_stem(idempotency_key: str) -> str:
    if not idempotency_key:
        return uuid.uuid4().hex
    if _SAFE_FILE_STEM.fullmatch(idempotency_key) and not idempotency_key.startswith("."):
        return idempotency_key
    # A key that is not a safe file name still needs one stable name per key.
    return hashlib.sha256(idempotency_key.encode()).hexdigest()
