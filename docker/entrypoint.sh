#!/bin/sh
# The web image's entrypoint: wait for the database, apply migrations, then become the command
# (gunicorn by default), so that the command receives the container's signals directly.
set -eu

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-embassy.settings}"

# The database container may still be starting: give it a bounded time, then fail loudly rather
# than serve errors. Exit status 3 means "not reachable yet"; any other failure (a missing
# setting) is not cured by waiting.
attempts="${DB_WAIT_ATTEMPTS:-30}"
interval="${DB_WAIT_INTERVAL:-2}"
check_database='
import sys

import django

django.setup()
from django.db import OperationalError, connection

try:
    connection.ensure_connection()
except OperationalError as error:
    print(f"entrypoint: {str(error).strip()}", file=sys.stderr)
    sys.exit(3)
'

attempt=1
while :; do
    status=0
    python -c "$check_database" || status=$?
    if [ "$status" -eq 0 ]; then
        break
    fi
    if [ "$status" -ne 3 ]; then
        exit "$status"
    fi
    if [ "$attempt" -ge "$attempts" ]; then
        echo "entrypoint: the database did not answer after $attempts attempts; giving up." >&2
        exit 1
    fi
    echo "entrypoint: waiting for the database ($attempt/$attempts)..." >&2
    attempt=$((attempt + 1))
    sleep "$interval"
done

python manage.py migrate --noinput

exec "$@"
