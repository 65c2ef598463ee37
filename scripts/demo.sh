#!/usr/bin/env bash
# Set up everything on a fresh machine and start the demo: SQLite, demo data, Wagtail
# admin at /admin/ and GraphQL (with GraphiQL) at /graphql on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements.txt
export DJANGO_SETTINGS_MODULE=cms.settings.dev
address="${HOST:-127.0.0.1}:${PORT:-8000}"
export BASE_URL="${BASE_URL:-http://$address}"
python manage.py migrate --no-input
python manage.py load_demo_data
exec python manage.py runserver "$address"
