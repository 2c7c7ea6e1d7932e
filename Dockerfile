# QuantFoot web image: daphne serves HTTP + WebSockets; the same image runs the worker
# (`python manage.py qcluster`) and migrations. Configure with environment variables
# (DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS, ...): see compose.yaml.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 quantfoot \
    && useradd --system --uid 10001 --gid quantfoot --home-dir /app --shell /usr/sbin/nologin quantfoot

WORKDIR /app
RUN chown quantfoot:quantfoot /app

# Dependencies first, so that code changes do not reinstall them (all ship as wheels).
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=quantfoot:quantfoot . .
USER quantfoot

# Static files into STATIC_ROOT at build time. The key is a throwaway for this one command;
# the real SECRET_KEY comes from the environment at run time.
RUN SECRET_KEY=collectstatic-build-only-not-secret DEBUG=0 python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
# DESIGN §8: raise daphne's listen backlog (default 50) for crowds connecting at once.
# No --proxy-headers: daphne would believe X-Forwarded-For from any peer. Behind a proxy set
# TRUSTED_PROXIES instead (quantfoot/proxies.py applies it to HTTP and WebSockets).
CMD ["daphne", "-e", "tcp:port=8000:interface=0.0.0.0:backlog=1024", "quantfoot.asgi:application"]
