"""Settings from the environment, read once; the hosted/desktop edition is decided here only."""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from platformdirs import user_data_dir


class ConfigError(RuntimeError):
    """The environment does not describe a runnable deployment."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept Heroku's ``postgres://`` and plain ``postgresql://``; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def app_version() -> str:
    """This installation's version, from the package metadata (PyInstaller copies it into the
    desktop bundle)."""
    try:
        return metadata.version("jobsmgmt")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def data_dir_path() -> Path:
    """Where the desktop edition keeps its data (nothing is created)."""
    return Path(_env("JOBSMGMT_DATA_DIR") or user_data_dir("jobsmgmt", appauthor=False))


def redis_url_with_tls_policy(url: str | None, verify: bool) -> str | None:
    """Heroku Redis serves TLS (``rediss://``) with a self-signed certificate that no CA
    signed: with ``REDIS_TLS_VERIFY=0`` the connection stays encrypted but the certificate is
    not checked (redis-py's ``ssl_cert_reqs=none``, read from the URL by every client: RQ, the
    scheduler, the login throttle's storage)."""
    if not url or verify or not url.startswith("rediss://") or "ssl_cert_reqs=" in url:
        return url
    return url + ("&" if "?" in url else "?") + "ssl_cert_reqs=none"


def data_dir() -> Path:
    path = data_dir_path()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def edition_from_environment() -> str:
    """``hosted`` when DATABASE_URL names a server database, else ``desktop`` (reads only)."""
    raw_db = _env("DATABASE_URL")
    return "hosted" if raw_db is not None and not raw_db.startswith("sqlite") else "desktop"


def _desktop_secrets(directory: Path) -> dict[str, str]:
    """Keys generated once per installation, kept beside the database, owner-readable only."""
    path = directory / "secrets.json"
    if path.exists():
        stored = json.loads(path.read_text())
    else:
        stored = {}
    changed = False
    for key in ("SECRET_KEY", "AUDIT_KEY"):
        if not stored.get(key):
            stored[key] = secrets.token_hex(32)
            changed = True
    if changed:
        path.write_text(json.dumps(stored))
        os.chmod(path, 0o600)
    return stored


@dataclass
class Settings:
    edition: str
    database_url: str
    redis_url: str | None
    secret_key: str
    audit_key: str
    data_dir: Path | None
    portal_sandbox: bool
    session_cookie_secure: bool
    rq_queue: str = "jobsmgmt"
    log_level: str = "INFO"
    portals: dict[str, str | None] = field(default_factory=dict)
    # The app's public address (absolute apply links sent to portals, the Indeed feed, the
    # mounted sandbox); ``jobsmgmt serve`` sets it to its own address when unset.
    public_url: str | None = field(default_factory=lambda: _env("PUBLIC_URL"))
    # Tests and benchmarks only: a pause per job of a bulk operation, to crash one half way.
    bulk_job_delay_ms: int = field(default_factory=lambda: int(_env("BULK_JOB_DELAY_MS", "0")))
    # How many proxies in front of the app append to X-Forwarded-For (0: the peer's own address).
    trusted_proxy_hops: int = field(default_factory=lambda: _hops(_env("TRUSTED_PROXY_HOPS", "0")))

    def checkpoint_file(self) -> Path | None:
        """Where audit checkpoints are appended (desktop: the data directory; hosted: none, one
        log line per checkpoint instead)."""
        if self.data_dir is None:
            return None
        return self.data_dir / CHECKPOINT_FILE_NAME

    def flask_config(self) -> dict:
        checkpoints = self.checkpoint_file()
        return {
            "EDITION": self.edition,
            "SECRET_KEY": self.secret_key,
            "AUDIT_KEY": self.audit_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url),
            "REDIS_URL": self.redis_url,
            "RQ_QUEUE": self.rq_queue,
            "DATA_DIR": str(self.data_dir) if self.data_dir else None,
            "PORTAL_SANDBOX": self.portal_sandbox,
            "PORTALS": self.portals,
            "PUBLIC_URL": (self.public_url or "").rstrip("/") or None,
            "BULK_JOB_DELAY_MS": self.bulk_job_delay_ms,
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.session_cookie_secure,
            "WTF_CSRF_TIME_LIMIT": None,
            "BOOTSTRAP_SERVE_LOCAL": True,
            # No request body is larger (a 50,000-character résumé is 200 kB at most): 413.
            "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_ENABLED": True,
            # Failed logins only; the account budget applies to clients without a device cookie.
            "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute; 10 per 10 minutes; 20 per hour",
            "LOGIN_LIMIT_PER_DEVICE": "10 per 10 minutes",
            "LOGIN_LIMIT_PER_IP": "30 per minute",
            "CAREERS_PAGE_LIMIT": "120 per minute",
            "CAREERS_APPLY_LIMIT": "20 per minute",
            "LOG_LEVEL": self.log_level,
            "ACCESS_LOG": self.edition == "desktop",
            "SETUP_PAGE": self.edition == "desktop",
            "TRUSTED_PROXY_HOPS": self.trusted_proxy_hops,
            "AUDIT_CHECKPOINT_FILE": str(checkpoints) if checkpoints else None,
        }


CHECKPOINT_FILE_NAME = "audit-checkpoints.jsonl"


def _hops(value: str) -> int:
    try:
        hops = int(value)
    except ValueError:
        raise ConfigError(f"TRUSTED_PROXY_HOPS must be a whole number, not {value!r}.") from None
    if not 0 <= hops <= 10:
        raise ConfigError("TRUSTED_PROXY_HOPS must be between 0 and 10.")
    return hops


PORTAL_VARIABLES = (
    "LINKEDIN_API_BASE",
    "LINKEDIN_CLIENT_ID",
    "LINKEDIN_CLIENT_SECRET",
    "LINKEDIN_ORGANIZATION_ID",
    "INDEED_API_BASE",
    "INDEED_CLIENT_ID",
    "INDEED_CLIENT_SECRET",
    "INDEED_SOURCE_NAME",
    "NAUKRI_API_BASE",
    "NAUKRI_API_KEY",
    "PORTAL_COMPANY_NAME",
    "PORTAL_CONNECT_TIMEOUT",
    "PORTAL_READ_TIMEOUT",
    "PORTAL_RETRIES",
    "PORTAL_BACKOFF",
)


def engine_options(database_url: str) -> dict:
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}


def load_settings() -> Settings:
    """Read the environment once. Hosted = a server database; desktop = a SQLite file."""
    raw_db = _env("DATABASE_URL")
    hosted = edition_from_environment() == "hosted"
    redis_url = redis_url_with_tls_policy(_env("REDIS_URL"), _bool("REDIS_TLS_VERIFY", True))
    portals = {name: _env(name) for name in PORTAL_VARIABLES}
    if hosted:
        missing = [name for name in ("SECRET_KEY", "AUDIT_KEY") if not _env(name)]
        if missing:
            raise ConfigError(
                "The hosted edition needs " + " and ".join(missing) + " in the environment "
                "(generate each with: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        return Settings(
            edition="hosted",
            database_url=normalise_database_url(raw_db),
            redis_url=redis_url,
            secret_key=_env("SECRET_KEY"),
            audit_key=_env("AUDIT_KEY"),
            data_dir=None,
            portal_sandbox=_bool("PORTAL_SANDBOX", False),
            session_cookie_secure=_bool("SESSION_COOKIE_SECURE", True),
            rq_queue=_env("RQ_QUEUE", "jobsmgmt"),
            log_level=_env("LOG_LEVEL", "INFO"),
            portals=portals,
        )
    directory = data_dir()
    stored = _desktop_secrets(directory)
    database_url = raw_db or f"sqlite:///{directory / 'jobsmgmt.db'}"
    return Settings(
        edition="desktop",
        database_url=database_url,
        redis_url=redis_url,
        secret_key=_env("SECRET_KEY") or stored["SECRET_KEY"],
        audit_key=_env("AUDIT_KEY") or stored["AUDIT_KEY"],
        data_dir=directory,
        portal_sandbox=_bool("PORTAL_SANDBOX", True),
        session_cookie_secure=_bool("SESSION_COOKIE_SECURE", False),
        rq_queue=_env("RQ_QUEUE", "jobsmgmt"),
        log_level=_env("LOG_LEVEL", "INFO"),
        portals=portals,
    )


def resource_dir(name: str) -> Path:
    """Where ``templates``, ``static`` and ``migrations`` live: a PyInstaller bundle, the source
    tree (editable install) or the shared data of an installed wheel."""
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / name)
    candidates.append(Path(__file__).resolve().parent.parent / name)
    candidates.append(Path(sys.prefix) / "share" / "jobsmgmt" / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]
