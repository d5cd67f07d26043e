"""Settings read from the environment.

Every variable is documented in `.env.example` and the README. Production mode
refuses to start without a real SECRET_KEY rather than fall back to a weak one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised at start-up when the environment cannot run the app safely."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key(instance_path: Path) -> str:
    """Read (or create once) a random key in instance/ so dev sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings but always use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# Scheduled worker tasks and their periods in seconds (engagement.core.worker): each runs once per
# period however many workers run. Tasks not listed run on every pass (queues shared with SKIP LOCKED).
WORKER_TASK_PERIODS = {
    "signup-reminders": 60,
    "speedwatch-quorum": 60,
    "feeds": 60,
    "surveys-feedback": 300,
    "events-horizon": 3600,
    "signup-purge": 3600,
    "surveys-purge": 3600,
    "speedwatch-expiry-warnings": 3600,
    "speedwatch-returns-purge": 3600,
    "speedwatch-keeper-erase": 3600,
    "newsletter-expire": 3600,
    "sms-receipts": 60,
    "sms-replies": 60,
}


# Retention (engagement.privacy, README "Data protection"): days each kind of personal record is kept.
# RETENTION_DAYS="audit-log=365,outbox-bodies=14" changes some. Sign-ups and Speed Watch returns keep their
# own settings (SIGNUP_RETENTION_DAYS, SPEEDWATCH_RETENTION_DAYS); survey and newsletter periods are fixed.
RETENTION_DAYS = {
    "signups-waiting": 7,  # waiting-list and cancelled sign-ups: details blanked this long after the date
    "speedwatch-declined": 90,  # declined Speed Watch applications: deleted this long after the decision
    "speedwatch-site-requests": 365,  # proposers of approved or declined sites: replaced this long after the decision
    "speedwatch-suspended": 730,  # suspended Speed Watch volunteers: erased this long after the suspension
    "staff-switched-off": 730,  # switched-off staff accounts: anonymised this long after the last change or sign-in
    "outbox-bodies": 30,  # email bodies: blanked this long after sending (the row and outcome stay)
    "outbox-rows": 365,  # the rows themselves (recipient, subject, outcome)
    "audit-log": 730,  # every audit entry
    "login-records": 90,  # sign-in, failed sign-in and password-reset entries (typed addresses, IPs)
    "privacy-links": 2,  # residents' single-use "get my data" links (they work for 24 hours)
    "text-replies": 90,  # residents' replies to text alerts: deleted this long after they arrived
}


def _periods(value: str | None) -> dict[str, float]:
    """WORKER_TASK_PERIODS="feeds=300,signup-reminders=30" changes some periods; 0 runs a task every pass."""
    periods = dict(WORKER_TASK_PERIODS)
    for item in (value or "").split(","):
        name, _, seconds = item.partition("=")
        if name.strip():
            periods[name.strip()] = float(seconds)
    return periods


def _thresholds(value: str | None) -> dict[int, int]:
    """SPEEDWATCH_THRESHOLDS="20=24,30=35,40=46": the force's reporting threshold (mph) per speed limit."""
    found = {}
    for item in (value or "").split(","):
        limit, _, threshold = item.partition("=")
        if limit.strip():
            found[int(limit)] = int(threshold)
    return found


def _periods_only(value: str | None) -> list[tuple[str, str]]:
    """ "name=number,name=number" as pairs (RETENTION_DAYS)."""
    pairs = []
    for item in (value or "").split(","):
        name, _, number = item.partition("=")
        if name.strip():
            pairs.append((name.strip(), number.strip()))
    return pairs


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config dict from the environment plus explicit overrides (tests)."""
    env = os.environ
    overrides = dict(overrides or {})
    app_env = overrides.pop("APP_ENV", None) or env.get("APP_ENV", "production")
    if app_env not in {"production", "development", "test"}:
        raise ConfigError(f"APP_ENV must be production, development or test, not {app_env!r}.")
    production = app_env == "production"
    instance = Path(instance_path)

    secret_key = overrides.pop("SECRET_KEY", None) or env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value "
                '(python -c "import secrets; print(secrets.token_hex(32))") before starting in production.'
            )
        secret_key = _dev_secret_key(instance)
    if production and len(secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production.")

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'engagement.db'}"

    config = {
        "APP_ENV": app_env,
        "PRODUCTION": production,
        "TESTING": app_env == "test",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "TIMEZONE": env.get("TIMEZONE", "Europe/London"),
        # Languages residents can choose (engagement.core.i18n): "en" is the source; each other code needs
        # a catalogue under engagement/translations/. LANGUAGES="en,ur,pl" ships fewer.
        "LANGUAGES": [c.strip() for c in env.get("LANGUAGES", "en,ur,pa,bn,pl,ar").split(",") if c.strip()],
        "SITE_NAME": env.get("SITE_NAME", "Neighbourhood engagement"),
        "FORCE_NAME": env.get("FORCE_NAME", "West Midlands Police"),
        # Mail: with no MAIL_SERVER the worker writes .eml files under instance/mail/.
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "30")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Neighbourhood engagement <no-reply@example.org>"),
        "MAIL_DIR": env.get("MAIL_DIR", str(instance / "mail")),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", "6")),
        # smtp | notify | files; unset: smtp with a MAIL_SERVER, else files (engagement.core.mail.mail_transport).
        "MAIL_TRANSPORT": env.get("MAIL_TRANSPORT", "").strip().lower(),
        # Text messages through GOV.UK Notify (engagement.core.sms, README "Text messages"). Without a key the
        # worker writes texts to SMS_DIR. The callback token guards /notify/callback/* (Notify sends it as Bearer).
        "SMS_ENABLED": _bool(env.get("SMS_ENABLED"), True),
        "SMS_DIR": env.get("SMS_DIR", str(instance / "sms")),
        # Text alerts (newsletter): the most SMS parts one alert may take, footer included (issue 16).
        "SMS_MAX_FRAGMENTS": int(env.get("SMS_MAX_FRAGMENTS", "3")),
        "NOTIFY_API_KEY": env.get("NOTIFY_API_KEY", ""),
        "NOTIFY_BASE_URL": env.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk").rstrip("/"),
        "NOTIFY_SMS_TEMPLATE_ID": env.get("NOTIFY_SMS_TEMPLATE_ID", ""),
        "NOTIFY_EMAIL_TEMPLATE_ID": env.get("NOTIFY_EMAIL_TEMPLATE_ID", ""),
        "NOTIFY_CALLBACK_TOKEN": env.get("NOTIFY_CALLBACK_TOKEN", ""),
        "NOTIFY_TIMEOUT": float(env.get("NOTIFY_TIMEOUT", "30")),
        # Rate limits: memory:// is per process; use redis://127.0.0.1:6379 with several workers.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # How many reverse proxies in front set X-Forwarded-For/-Proto (0 = trust none).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE", "3600")),
        # Sign-ups: one reminder this many hours before a date starts; personal data kept this many days after it.
        # Imported RSS/Atom feeds (engagement.feeds): fetch deadline, size cap, entries kept per fetch, interval.
        "FEEDS_TIMEOUT": float(env.get("FEEDS_TIMEOUT", "10")),
        "FEEDS_MAX_BYTES": int(env.get("FEEDS_MAX_BYTES", "2000000")),
        "FEEDS_MAX_ENTRIES": int(env.get("FEEDS_MAX_ENTRIES", "100")),
        "FEEDS_INTERVAL_MINUTES": int(env.get("FEEDS_INTERVAL_MINUTES", "60")),
        # Ports feeds may be fetched from (public addresses only, see engagement/feeds/addresses.py).
        "FEEDS_ALLOWED_PORTS": env.get("FEEDS_ALLOWED_PORTS", "80,443"),
        # Test suite only (honoured only with APP_ENV=test, never read from the environment): fetch from loopback.
        "FEEDS_ALLOW_LOOPBACK": False,
        "WORKER_TASK_PERIODS": _periods(env.get("WORKER_TASK_PERIODS")),
        # Operations (engagement.ops): JSON logs, /metrics access, s-maxage for shared caches on feeds.
        "LOG_FORMAT": env.get("LOG_FORMAT", "json" if production else "text"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "FEEDS_SHARED_MAX_AGE": int(env.get("FEEDS_SHARED_MAX_AGE", "0")),
        # Seconds a process reuses a calendar feed's version before asking the database again (a 304 with no
        # query); the process's own writes clear it at once. Tests read it every time.
        "FEEDS_VERSION_SECONDS": float(env.get("FEEDS_VERSION_SECONDS", "0" if app_env == "test" else "1")),
        # Data protection (engagement.privacy): the privacy notice, accessibility statement and retention.
        "PRIVACY_CONTROLLER": env.get("PRIVACY_CONTROLLER", "") or env.get("FORCE_NAME", "West Midlands Police"),
        "PRIVACY_CONTROLLER_ADDRESS": env.get("PRIVACY_CONTROLLER_ADDRESS", ""),
        "PRIVACY_DPO_EMAIL": env.get("PRIVACY_DPO_EMAIL", "data.protection@example.org"),
        "PRIVACY_DPO_ADDRESS": env.get("PRIVACY_DPO_ADDRESS", ""),
        "PRIVACY_NOTICE_UPDATED": env.get("PRIVACY_NOTICE_UPDATED", "2026-12-01"),
        "PRIVACY_HASH_KEY": env.get("PRIVACY_HASH_KEY", ""),
        "PRIVACY_LINK_HOURS": int(env.get("PRIVACY_LINK_HOURS", "24")),
        "ACCESSIBILITY_CONTACT_EMAIL": env.get("ACCESSIBILITY_CONTACT_EMAIL", "")
        or env.get("PRIVACY_DPO_EMAIL", "data.protection@example.org"),
        "ACCESSIBILITY_LAST_CHECKED": env.get("ACCESSIBILITY_LAST_CHECKED", "2026-12-01"),
        "RETENTION_DAYS": {**RETENTION_DAYS, **{k: int(v) for k, v in _periods_only(env.get("RETENTION_DAYS"))}},
        # Two-factor sign-in (engagement.accounts): who must use it (all | exporters | none) and remember-device.
        "STAFF_2FA_REQUIRED": env.get("STAFF_2FA_REQUIRED", "exporters"),
        "STAFF_2FA_REMEMBER_DEVICE": _bool(env.get("STAFF_2FA_REMEMBER_DEVICE")),
        "STAFF_2FA_REMEMBER_DAYS": int(env.get("STAFF_2FA_REMEMBER_DAYS", "30")),
        "SIGNUP_REMINDER_HOURS": float(env.get("SIGNUP_REMINDER_HOURS", "24")),
        "SIGNUP_RETENTION_DAYS": int(env.get("SIGNUP_RETENTION_DAYS", "90")),
        # Community Speed Watch (engagement.speedwatch): see the README's Speed Watch section.
        "SPEEDWATCH_QUORUM_HOURS": int(env.get("SPEEDWATCH_QUORUM_HOURS", "24")),
        "SPEEDWATCH_TRAINING_MONTHS": int(env.get("SPEEDWATCH_TRAINING_MONTHS", "12")),
        "SPEEDWATCH_WARNING_DAYS": int(env.get("SPEEDWATCH_WARNING_DAYS", "30")),
        "SPEEDWATCH_REPEAT_DAYS": int(env.get("SPEEDWATCH_REPEAT_DAYS", "365")),
        "SPEEDWATCH_RETENTION_DAYS": int(env.get("SPEEDWATCH_RETENTION_DAYS", "365")),
        # "20=24,30=35": reporting threshold per limit; unlisted limits use limit + 10% + 2 mph.
        "SPEEDWATCH_THRESHOLDS": _thresholds(env.get("SPEEDWATCH_THRESHOLDS")),
        "SPEEDWATCH_HIGH_SPEED_MARGIN": int(env.get("SPEEDWATCH_HIGH_SPEED_MARGIN", "20")),
        "SPEEDWATCH_KEEPER_DAYS": int(env.get("SPEEDWATCH_KEEPER_DAYS", "14")),
        # Team people's photos (engagement.priorities): largest upload accepted, before re-encoding.
        "PEOPLE_PHOTO_MAX_BYTES": int(env.get("PEOPLE_PHOTO_MAX_BYTES", "8000000")),
        # The largest request body accepted (Speed Watch site photos: 3 x 8 MB); larger is a 413 before parsing.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(26 * 1024 * 1024))),
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 14,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "DEMO_ACCOUNTS_ALLOWED": not production,
    }
    if config["STAFF_2FA_REQUIRED"] not in {"all", "exporters", "none"}:
        raise ConfigError("STAFF_2FA_REQUIRED must be all, exporters or none.")
    _check_mail_transport(config)
    config.update(overrides)
    return config


def _check_mail_transport(config: dict) -> None:
    """MAIL_TRANSPORT must name a transport whose settings are there (notify: a key and an email template)."""
    transport = config["MAIL_TRANSPORT"]
    if transport not in {"", "smtp", "notify", "files"}:
        raise ConfigError(f"MAIL_TRANSPORT must be smtp, notify or files, not {transport!r}.")
    if transport == "smtp" and not config["MAIL_SERVER"]:
        raise ConfigError("MAIL_TRANSPORT=smtp needs MAIL_SERVER (the SMTP host).")
    if transport == "notify" and not (config["NOTIFY_API_KEY"] and config["NOTIFY_EMAIL_TEMPLATE_ID"]):
        raise ConfigError(
            "MAIL_TRANSPORT=notify needs NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID (an email template with "
            "subject ((subject)) and body ((body)); see the README, Text messages)."
        )
