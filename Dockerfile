# One image for every SeqLab service (web, workers, beat); docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app/platform:/app \
    DJANGO_SETTINGS_MODULE=seqlab.config.settings.production \
    SEQLAB_VAR_DIR=/var/lib/seqlab

# bubblewrap: the engine's sandbox; fonts-nanum: Korean text in the score histograms.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap fonts-nanum graphviz \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir ".[web]" \
 && useradd --system --create-home --home-dir /var/lib/seqlab seqlab \
 && DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DATABASE_URL=postgresql://build@localhost/build REDIS_URL=redis://build \
    python manage.py collectstatic --noinput -v 0 \
 && chown -R seqlab /var/lib/seqlab

USER seqlab
EXPOSE 8000
CMD ["gunicorn", "seqlab.config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
