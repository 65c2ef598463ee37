"""Settings for the test suite: embedded defaults unless DATABASE_URL / CELERY_BROKER_URL say otherwise."""

from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", BASE_DIR / ".test-media"))  # noqa: F405
# Throttling is tested by counting refusals, not by waiting.
SIGNIN_DELAY_SECONDS = 0.0
# Tests make dozens of tickets as one resident; the per-person limits have tests of their
# own (tests/tickets/test_abuse_limits.py), which set them low.
TICKET_REPORTS_PER_USER_PER_HOUR = 10_000
TICKET_COMMENTS_PER_USER_PER_HOUR = 10_000
TICKET_PHOTOS_PER_USER_PER_HOUR = 10_000
WAGTAILADMIN_BASE_URL = "http://testserver"

# CI gives each run its own test database so that nothing else on the server collides with it.
if os.environ.get("TEST_DATABASE_NAME"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405

# cache.clear() between tests flushes the whole Redis database: each test process (xdist
# worker) gets a database of its own, or one process would wipe the other's rate counters.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # noqa: F405
if os.environ.get("REDIS_URL") and _worker.startswith("gw"):  # noqa: F405
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")  # noqa: F405
    CACHES["default"]["LOCATION"] = f"{_base}/{(int(_db or 0) + 1 + int(_worker[2:])) % 16}"  # noqa: F405
