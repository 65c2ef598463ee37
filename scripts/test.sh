#!/usr/bin/env bash
# Set up everything on a fresh machine and run the whole test suite. Extra arguments go
# to pytest. Embedded defaults (SQLite, eager Celery) unless DATABASE_URL,
# CELERY_BROKER_URL and REDIS_URL point elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements-dev.txt
python manage.py makemigrations --check --dry-run --settings=cms.settings.test
python -m pytest "$@"
