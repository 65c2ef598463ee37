"""The embedded default: what `README.md`'s demo command runs."""

from .base import *  # noqa: F401,F403

DEBUG = env_bool("DEBUG", True)  # noqa: F405
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")  # noqa: F405
