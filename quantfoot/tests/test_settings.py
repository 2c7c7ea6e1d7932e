import pytest
from django.core.exceptions import ImproperlyConfigured

from quantfoot.settings import database_from_url


def test_postgres_url_becomes_psycopg_database():
    db = database_from_url("postgres://qf:s%40cret@db.example:6543/quantfoot?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "qf", "s@cret", "db.example", "6543", "quantfoot")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_sqlite_url_and_unknown_scheme():
    assert database_from_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://root@localhost/db")



def test_deploy_check_is_clean_with_production_variables(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "SECRET_KEY": "x" * 60 + "-production-like-secret-key-0123456789",
           "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3", "ALLOWED_HOSTS": "quantfoot.example.com",
           "SECURE_COOKIES": "1", "SECURE_SSL_REDIRECT": "1", "SECURE_HSTS_SECONDS": "31536000",
           "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1", "SECURE_HSTS_PRELOAD": "1", "DEBUG": "0",
           "EMAIL_URL": "smtp://mail.example.com:587"}  # production sends real mail (check --deploy: mail.E001)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
