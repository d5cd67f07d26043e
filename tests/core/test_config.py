import pytest

from engagement import create_app
from engagement.config import ConfigError, load_config, normalise_database_url


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        load_config(str(tmp_path))


def test_production_is_the_default_and_hardens_cookies(monkeypatch, tmp_path):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    config = load_config(str(tmp_path))
    assert config["PRODUCTION"] is True
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["DEMO_ACCOUNTS_ALLOWED"] is False


def test_development_generates_a_key_once(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "development")
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_database_url_defaults_to_sqlite_in_instance_and_normalises_postgres(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("APP_ENV", "development")
    assert load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'engagement.db'}"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_env_variables_reach_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("BASE_URL", "https://engage.example.org/")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("TIMEZONE", "Europe/London")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app()
    assert app.config["BASE_URL"] == "https://engage.example.org"
    assert app.config["MAIL_SERVER"] == "smtp.example.org" and app.config["MAIL_PORT"] == 587


def test_unknown_app_env_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(ConfigError, match="APP_ENV must be"):
        load_config(str(tmp_path))


def test_trusted_proxy_gives_the_client_address(tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path}/p.db", tmp_path, TRUSTED_PROXIES=1)

    @app.get("/_ip")
    def ip():
        from flask import request

        return request.remote_addr

    response = app.test_client().get("/_ip", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == "203.0.113.9"
