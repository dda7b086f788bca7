# The web image: gunicorn serving Django, static files collected and served by whitenoise.
# Build: docker build -t communiques . (docker compose build does it too).

# --- Build stage: compilers and headers stay out of the image that runs. ---------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libpq-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt

# --- Runtime stage ---------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=embassy.settings \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/app/media \
    WEB_CONCURRENCY=2

# libpq5: psycopg2's runtime library; the build stage had its headers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home app

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY . .

# collectstatic needs settings, not secrets: throwaway values at build time. The hashed,
# compressed (gzip and brotli) files end up in the image, so every web container has them.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build.invalid \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown app:app /app/media

# The code and static files stay root's: the process can write only to the media volume.
USER app
EXPOSE 8000

ENTRYPOINT ["/bin/sh", "/app/docker/entrypoint.sh"]
# gunicorn reads the number of workers from WEB_CONCURRENCY. Its access log stays off: the
# application writes one JSON line per request (embassy/middleware.py). /dev/shm keeps the
# workers' heartbeat files off the container's overlay filesystem, where a write can stall.
CMD ["gunicorn", "embassy.wsgi", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", \
     "--graceful-timeout", "20"]
