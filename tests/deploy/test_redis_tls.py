"""Heroku Redis's ``rediss://`` URL with its self-signed certificate: ``REDIS_TLS_VERIFY=0``
keeps TLS but skips the certificate check, for RQ and the login throttle alike."""

from __future__ import annotations

from limits.storage import storage_from_string
from redis import Redis

from jobsmgmt.config import load_settings

URL = "rediss://:secret@redis.example.net:6380"


def test_redis_tls_verify_off_reaches_every_redis_client(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example.net:5432/app")
    monkeypatch.setenv("SECRET_KEY", "s")
    monkeypatch.setenv("AUDIT_KEY", "a")
    monkeypatch.setenv("REDIS_URL", URL)
    monkeypatch.setenv("REDIS_TLS_VERIFY", "0")
    config = load_settings().flask_config()
    assert config["REDIS_URL"] == URL + "?ssl_cert_reqs=none"
    assert config["RATELIMIT_STORAGE_URI"] == config["REDIS_URL"]
    rq_side = Redis.from_url(config["REDIS_URL"]).connection_pool.connection_kwargs
    assert rq_side["ssl_cert_reqs"] == "none" and rq_side["password"] == "secret"
    throttle = storage_from_string(config["RATELIMIT_STORAGE_URI"])
    kwargs = throttle.storage.connection_pool.connection_kwargs
    assert kwargs["ssl_cert_reqs"] == "none"


def test_redis_tls_verified_by_default_and_plain_redis_untouched(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example.net:5432/app")
    monkeypatch.setenv("SECRET_KEY", "s")
    monkeypatch.setenv("AUDIT_KEY", "a")
    monkeypatch.setenv("REDIS_URL", URL)
    monkeypatch.delenv("REDIS_TLS_VERIFY", raising=False)
    assert load_settings().redis_url == URL
    monkeypatch.setenv("REDIS_TLS_VERIFY", "0")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert load_settings().redis_url == "redis://127.0.0.1:6379/0"
