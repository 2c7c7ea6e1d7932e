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

