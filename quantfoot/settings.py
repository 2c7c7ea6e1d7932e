"""QuantFoot settings: one module, production differs only by environment.

With no environment at all the site runs embedded: SQLite, an in-memory channel
layer, django-q2 on the ORM broker. DATABASE_URL and REDIS_URL switch to
PostgreSQL (psycopg 3), channels-redis, django-q2's Redis broker and a Redis cache.
"""

import os
import secrets
from datetime import timedelta

# The models fitted here (xG, Dixon-Coles) are small: BLAS threads only contend for the cores
# (measured: scipy's L-BFGS-B iterations ten times slower with OpenBLAS's default threads).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# SQLite under a writer (imports, replays) and readers (pages): wait instead of failing,
# and write-ahead logging so readers never block the writer.
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                  "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}


def database_from_url(url: str) -> dict:
    """Turn postgres://user:pass@host:port/name?opt=v or sqlite:///path into DATABASES['default']."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)[1:] if parts.path.startswith("/") else parts.path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or ":memory:", "OPTIONS": SQLITE_OPTIONS}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported (use postgres:// or sqlite://)")


DEBUG = env_bool("DEBUG", False)
# Keys that were ever public (this repository once shipped one): never a site's key.
PUBLIC_SECRET_KEYS = {"quantfoot-embedded-development-key-not-for-production-use"}


def embedded_secret_key(path: Path) -> str:
    """The embedded default's own key, made once per install and kept beside its database (var/,
    never in the repository), so that no two installs can forge each other's sessions."""
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: the site and its worker starting at once keep the first key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY")
# Production is DATABASE_URL (a real database; compose and any deployment set it), or an explicit
# QUANTFOOT_REQUIRE_SECRET_KEY=1 for a public site on SQLite: its key comes from the environment, or
# the site refuses to start. The embedded default (make run, tests) makes its own in var/.
if env_str("DATABASE_URL") or env_bool("QUANTFOOT_REQUIRE_SECRET_KEY", False):
    if not SECRET_KEY or SECRET_KEY in PUBLIC_SECRET_KEYS:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value when DATABASE_URL is set (production): "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'")
SECRET_KEY = SECRET_KEY or embedded_secret_key(BASE_DIR / "var" / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "django_q",
    "axes",  # login attempt limits (AUTHENTICATION_BACKENDS, AXES_* below)
    "ninja",  # its templates and static files: /api/v1/docs serves Swagger UI from here, not a CDN
    "matches",
    "players",
    "markets",
    "fantasy",
    "trading",
    "ingestion",
    "accounts",
]

MIDDLEWARE = [
    # First, so the latency it records for /metrics includes every middleware below it.
    "quantfoot.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "quantfoot.content_policy.SameHostSocketsCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.profile, and the signed-in reader's time zone activated (accounts/middleware.py).
    "accounts.middleware.ProfileMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A bad query parameter (quantfoot/params.py) -> the 400 page naming it, JSON under /api/.
    "quantfoot.errors.BadRequestParameterMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quantfoot.urls"
ASGI_APPLICATION = "quantfoot.asgi.application"
WSGI_APPLICATION = "quantfoot.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "var" / "db.sqlite3", "OPTIONS": SQLITE_OPTIONS}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # The socket timeout outlasts channels-redis's 5 s blocking pop, so a quiet match's
            # pending receive is not cut off by redis-py's own 5 s default.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 10}], "capacity": 1000, "expiry": 30},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # django-q2's cluster heartbeat must be seen by the web process (/healthz): a file cache
        # beside the SQLite database is shared by every process of that site, and by no other.
        "tasks": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                  "LOCATION": (Path(DATABASES["default"]["NAME"]).parent
                               if DATABASES["default"]["ENGINE"].endswith("sqlite3")
                               and str(DATABASES["default"]["NAME"]) not in ("", ":memory:")
                               else BASE_DIR / "var") / "task-stats"},
    }

Q_CLUSTER = {
    "name": "quantfoot",
    # Embedded mode has no shared cache (local memory is per process), so one worker keeps the
    # providers' rate limits and the live poller's lock whole; with Redis, workers share them.
    "workers": env_int("Q_WORKERS", 2 if REDIS_URL else 1),
    "timeout": 1800,  # a season import or a model fit may take minutes
    "retry": 1900,  # must exceed timeout
    "max_attempts": 1,
    "catch_up": False,  # after downtime, run a missed schedule once, not once per missed slot
    "save_limit": 500,
    "label": "Tasks",
    **({"redis": REDIS_URL} if REDIS_URL else {"orm": "default", "cache": "tasks"}),
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")  # shown to users; storage is always UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# daphne serves no static files by itself: in the embedded mode (or with DEBUG) the ASGI app
# serves them from the finders (quantfoot/asgi.py); behind a proxy, collectstatic to STATIC_ROOT.
SERVE_STATIC = env_bool("SERVE_STATIC", DEBUG or not DATABASE_URL)

# Real public data for the demo, tests and benchmarks (README: "Demo data").
QUANTFOOT_DATA = Path(env_str("QUANTFOOT_DATA") or BASE_DIR.parent / "shared" / "data")

# Providers (issue 4); base URLs overridable so tests and replays can point at a local server.
API_FOOTBALL_KEY = env_str("API_FOOTBALL_KEY")
API_FOOTBALL_BASE_URL = env_str("API_FOOTBALL_BASE_URL", "https://v3.football.api-sports.io")
FOOTBALL_DATA_TOKEN = env_str("FOOTBALL_DATA_TOKEN")
FOOTBALL_DATA_BASE_URL = env_str("FOOTBALL_DATA_BASE_URL", "https://api.football-data.org/v4")
OPENLIGADB_BASE_URL = env_str("OPENLIGADB_BASE_URL", "https://api.openligadb.de")
FPL_BASE_URL = env_str("FPL_BASE_URL", "https://fantasy.premierleague.com/api")  # no key
# Open-Meteo (no key): forecasts, and the archive for the weather after a match (matches/weather.py).
OPEN_METEO_BASE_URL = env_str("OPEN_METEO_BASE_URL", "https://api.open-meteo.com")
OPEN_METEO_ARCHIVE_URL = env_str("OPEN_METEO_ARCHIVE_URL", "https://archive-api.open-meteo.com")
LIVE_POLL_SECONDS = env_int("LIVE_POLL_SECONDS", 30)
# Competitions the scheduled provider jobs follow: catalog names, short names or codes (matches/catalog.py).
SYNC_COMPETITIONS = env_list("SYNC_COMPETITIONS", "Premier League,Bundesliga")
# Raw provider responses are kept this long (ingestion.RawPayload.purge_expired), then deleted.
RAW_PAYLOAD_RETENTION_DAYS = env_int("RAW_PAYLOAD_RETENTION_DAYS", 30)
# Open match sockets one client address may hold per server process (a page holds one). The address
# is the real client's behind TRUSTED_PROXIES (quantfoot/proxies.py), not the proxy's.
LIVE_MAX_SOCKETS_PER_CLIENT = env_int("LIVE_MAX_SOCKETS_PER_CLIENT", 20)
# /metrics (quantfoot/metrics.py): with a token, only "Authorization: Bearer <token>"; without
# one, only clients in these networks (CIDRs). Anything else gets 403.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
# Public API (/api/v1/): callers without an X-Auth-Token, per client address (keys carry their own quotas).
API_ANONYMOUS_PER_MINUTE = env_int("API_ANONYMOUS_PER_MINUTE", 10)
API_ANONYMOUS_PER_DAY = env_int("API_ANONYMOUS_PER_DAY", 100)

# Accounts (accounts/urls.py: Django's own auth views).
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "matches:home"
LOGOUT_REDIRECT_URL = "matches:home"
# How often a /ws/me/ socket looks in the database for alerts the channel layer did not bring (the
# in-memory layer cannot carry another process's; with Redis it looks 15 times less often).
ALERTS_CATCH_UP_SECONDS = float(env_str("ALERTS_CATCH_UP_SECONDS", "2"))

# Email (password resets): EMAIL_URL=smtp://user:password@host:587 (smtps:// for implicit TLS;
# ?tls=0 to turn STARTTLS off), or console:// (the embedded default: printed to the log).
EMAIL_URL = env_str("EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "QuantFoot <noreply@localhost>")


def mailer_from_url(url: str) -> dict:
    """EMAIL_URL -> MAILERS["default"] (Django 6.1's mail configuration)."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme in {"smtp", "smtps"}:
        ssl = parts.scheme == "smtps"
        return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
            "host": parts.hostname or "localhost", "port": parts.port or (465 if ssl else 587),
            "username": unquote(parts.username or ""), "password": unquote(parts.password or ""),
            "use_ssl": ssl, "use_tls": not ssl and dict(parse_qsl(parts.query)).get("tls", "1") != "0",
            "timeout": 10}}
    raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not supported (use smtp://, smtps:// "
                               "or console://)")


MAILERS = {"default": mailer_from_url(EMAIL_URL)}

# Security: sensible in production, silent in the embedded default.
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", bool(DATABASE_URL))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The proxies (IP addresses or CIDR networks, comma-separated) whose X-Forwarded-For and
# X-Forwarded-Proto count; none by default (daphne facing clients directly). The ASGI middleware
# quantfoot.proxies.TrustedProxyMiddleware applies them to the client address and the scheme for
# HTTP and WebSockets and strips those headers from anyone else, so Django's own header setting is
# off: SECURE_PROXY_SSL_HEADER cannot tell a proxy from a client that wrote the header itself.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
SECURE_PROXY_SSL_HEADER = None
# The load balancer's liveness probe and Prometheus (which scrapes each server process directly)
# speak plain HTTP to the server: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# django-csp (quantfoot.content_policy adds ws:/wss: of the request's host to connect-src). No inline
# script anywhere: behaviour lives in static/js and htmx may not eval (templates/base.html). Styles
# allow 'unsafe-inline' because server-rendered widths and positions (bars, pitch dots, momentum
# marks) are style="" attributes set from data, and htmx OOB swaps replace them live; inline style
# cannot run code, and everything else stays 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "connect-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Login attempt limits (django-axes) for every form that calls django.contrib.auth.authenticate:
# the admin's and the accounts' logins. A failure counts against the pair (client address,
# username), so an attacker elsewhere cannot lock a user out; the address is the real one behind
# TRUSTED_PROXIES. The lockout answers 429 with templates/lockout.html.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before checking the password
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "quantfoot.proxies.request_client_address"
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner in every manage.py command; lockouts are still logged

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO; ingestion.providers.http logs them at DEBUG and retries at WARNING.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
