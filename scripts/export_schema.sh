#!/usr/bin/env bash
# Write the GraphQL schema the code defines to graphql/schema.graphql (CI compares them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements-dev.txt
python manage.py export_schema cms.schema --path graphql/schema.graphql --settings=cms.settings.test
