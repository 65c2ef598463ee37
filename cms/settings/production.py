"""Production: everything comes from the environment, and unsafe defaults refuse to start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403

DEBUG = env_bool("DEBUG", False)  # noqa: F405

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not SECRET_KEY or SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:  # noqa: F405
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 32 characters.")
if not os.environ.get("ALLOWED_HOSTS"):  # noqa: F405
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this site answers to.")

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
IS_PRODUCTION = True
# Strangers get no map of the API; GRAPHQL_INTROSPECTION=1 turns introspection and
# suggestions back on for a trusted environment (graphql/schema.graphql is the contract).
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", False)  # noqa: F405
# Only the operations in graphql/operations/ run (sent by hash or as their exact text);
# GRAPHQL_PERSISTED_ONLY=0 opens the endpoint to any query (see the base settings).
GRAPHQL_PERSISTED_ONLY = env_bool("GRAPHQL_PERSISTED_ONLY", True)  # noqa: F405
