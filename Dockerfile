# The production image: web (gunicorn), Celery worker and Celery beat all run from it; see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    REDRESS_VAR_DIR=/app/var

WORKDIR /app

RUN groupadd --system redress \
    && useradd --system --gid redress --home-dir /app --no-create-home --shell /usr/sbin/nologin redress

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time (served by WhiteNoise). Production settings insist on their variables,
# so the build gives them throwaway values; nothing is connected to.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret \
    REDRESS_SECRETS_KEY=YnVpbGQtb25seS1ub3QtYS1zZWNyZXQtMDAwMDAwMDA= \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/evidence \
    && chown -R redress:redress /app/var

USER redress

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
