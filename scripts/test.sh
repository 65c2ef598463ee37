#!/usr/bin/env bash
# Set up everything on a fresh machine and run the whole test suite. Extra arguments go
# to pytest. Embedded defaults (SQLite, eager Celery) unless DATABASE_URL,
# CELERY_BROKER_URL and REDIS_URL point elsewhere. Tests run in PYTEST_WORKERS processes
# (default 2; 0 runs them in this process, e.g. for benchmarks with -s).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements-dev.txt
# The portal's browser tests drive Debian's Chromium (tests/browser); install it where we
# may (root with apt), else those tests skip and say why.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
fi
python manage.py makemigrations --check --dry-run --settings=cms.settings.test
python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
