"""Settings of the load benchmark's server (`tests/benchmarks/load.py`): production's, with
the floor views beside the product's URLs. Benchmark-only: nothing in the product names
this module, so the floor views are reachable only under the benchmark's gunicorn.

The benchmark sets the environment production needs (SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, REDIS_URL, MEDIA_ROOT) for a throwaway database and media folder.
"""

import os

from cms.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "tests.benchmarks.urls"
# Plain HTTP on the loopback: the session cookie is sent whatever its Secure flag, and
# production's HTTPS-only redirects and headers do not apply.
SECURE_SSL_REDIRECT = False
# Keys of this run apart from anything else in the same Redis database.
if CACHES["default"]["BACKEND"].endswith("DegradingRedisCache"):  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = os.environ.get("LOAD_BENCHMARK_CACHE_PREFIX", "hub-load")  # noqa: F405
