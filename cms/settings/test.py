"""Settings for the test suite: embedded defaults unless DATABASE_URL / CELERY_BROKER_URL say otherwise."""

from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", BASE_DIR / ".test-media"))  # noqa: F405
# Throttling is tested by counting refusals, not by waiting.
SIGNIN_DELAY_SECONDS = 0.0
WAGTAILADMIN_BASE_URL = "http://testserver"

# CI gives each run its own test database so that nothing else on the server collides with it.
if os.environ.get("TEST_DATABASE_NAME"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
