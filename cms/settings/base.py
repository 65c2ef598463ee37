"""Settings shared by every environment.

Everything that differs between a laptop and production comes from environment
variables, each with an embedded default so that a fresh checkout runs with no
configuration at all: SQLite, Celery tasks run eagerly, database search, local media.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# Overridden by every concrete settings module; production refuses this value.
INSECURE_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
# Set by the production settings; commands that must never touch real data check it.
IS_PRODUCTION = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cms.core",
    "cms.home",
    "cms.news",
    "cms.documents",
    "cms.investments",
    "cms.contractors",
    "cms.preview",
    "operations.residents",
    "operations.messaging",
    "operations.broadcasts",
    "operations.tickets",
    "operations.billing",
    "operations.surveys",
    "search",
    "demo_cooperative",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "strawberry_django",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.core.cors.PortalCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "operations.residents.middleware.BearerTokenMiddleware",
    "cms.core.rich_text.RichTextViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"
ASGI_APPLICATION = "cms.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves the demo's threaded server, where a page's requests
    # run side by side: a writer waits for the lock up to 20 s instead of failing with
    # "database is locked", takes it when its transaction begins (so a reader turned
    # writer never deadlocks), and readers do not wait for writers (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Polish first: the people who use the hub speak it; English is the second language.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Upload limit for any request body, GraphQL multipart uploads included.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))

# --- Cache -----------------------------------------------------------------------------
# Sign-in throttling keeps its counters in the database, so the cache may be per-process.
# Redis down (or unreachable) degrades to no cache instead of failing requests
# (cms/core/cache.py); the short timeouts bound what an address that never answers costs.
CACHES = {
    "default": (
        {
            "BACKEND": "cms.core.cache.DegradingRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Wagtail ---------------------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Spółdzielnia Mieszkaniowa")
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://localhost:8000")
# No Gravatar: it would send a hash of every staff e-mail address to a third party with
# each avatar, and show broken images offline. Staff get Wagtail's default avatar (or the
# one they upload in their account settings).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does a superuser's first page ask releases.wagtail.org for Wagtail's latest version:
# the admin loads nothing from outside the hub (upgrades are the deployer's business).
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The resident portal, for the links in account e-mails (confirm an account, set a new password).
PORTAL_URL = os.environ.get("PORTAL_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
# The portal's files, served by the hub at its root (cms.core.portal_views); Wagtail's own
# server-rendered pages, which keep its preview and restriction handling, live under /strony/.
PORTAL_DIR = BASE_DIR / "frontend-templates" / "portal"
# Origins of portals hosted elsewhere that may call the API with the session cookie
# (cms/core/cors.py), e.g. "https://portal.example.org"; trusted for CSRF as well.
PORTAL_ORIGINS = env_list("PORTAL_ORIGINS")
CSRF_TRUSTED_ORIGINS = [*CSRF_TRUSTED_ORIGINS, *PORTAL_ORIGINS]
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Documents are always served through Django so that collection restrictions are checked.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_DOCUMENT_MODEL = "documents.CooperativeDocument"
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 64_000_000
# Readers refused a restricted page or document sign in on the portal, never on the
# admin's staff sign-in (cms/core/access_views.py; its hooks answer before Wagtail would).
PORTAL_SIGN_IN_PATH = "/zaloguj"
WAGTAIL_FRONTEND_LOGIN_URL = PORTAL_URL + PORTAL_SIGN_IN_PATH
# Wagtail's own "forgot password" form has no limits and answers faster for unknown
# addresses; everyone resets through passwordResetRequest instead (README: Accounts),
# and administrators can set a password for a colleague in Settings → Users.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Admin sign-ins are recorded and throttled like the API's.
WAGTAILADMIN_USER_LOGIN_FORM = "operations.residents.admin.forms.AdminLoginForm"

# --- Search ----------------------------------------------------------------------------
# The directory search (search/) answers from the database unless ELASTICSEARCH_URL names
# an Elasticsearch server; its indexes are named after the prefix, so several hubs can
# share one server. The database index is kept either way: it is the fallback.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "hub")
# A document's PDF text is indexed from its first pages only, and only so much of it.
SEARCH_PDF_MAX_PAGES = int(os.environ.get("SEARCH_PDF_MAX_PAGES", "50"))
SEARCH_PDF_MAX_CHARS = int(os.environ.get("SEARCH_PDF_MAX_CHARS", "200000"))
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Celery ----------------------------------------------------------------------------
# Without a broker URL tasks run in-process, so the embedded default needs no worker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A broker that hangs instead of refusing (a stuck Redis, a dropped route) would hold a
# publishing request forever: Redis commands time out instead. Above kombu's BRPOP
# timeout (1 s), so idle workers are not disturbed.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 5.0, "socket_connect_timeout": 3.0}
CELERY_BEAT_SCHEDULE = {
    "scheduled-pages-publish": {"task": "cms.core.tasks.scheduled_pages_publish", "schedule": 60.0},
    "sign-in-attempts-prune": {"task": "operations.residents.tasks.sign_in_attempts_prune", "schedule": 86400.0},
    # Sign-ups and reset requests whose task the broker lost; deletes them after a day.
    "account-email-requests-sweep": {
        "task": "operations.residents.tasks.account_email_requests_sweep",
        "schedule": 60.0,
    },
    # The safety net of the outbox: requeues deliveries of dead workers and sends
    # whatever an unreachable broker left behind.
    "outbox-sweep": {"task": "operations.messaging.tasks.outbox_sweep", "schedule": 60.0},
    # Queues the broadcasts whose time has come (whatever the broker lost) and marks
    # those with nothing left to send as sent.
    "broadcasts-sweep": {"task": "operations.broadcasts.tasks.broadcasts_sweep", "schedule": 60.0},
    "tickets-escalate": {"task": "operations.tickets.tasks.tickets_escalate", "schedule": 300.0},
    "tickets-close-unconfirmed": {"task": "operations.tickets.tasks.tickets_close_unconfirmed", "schedule": 3600.0},
    # Photo files no ticket names any more (deleted tickets, rolled-back uploads).
    "ticket-photo-files-sweep": {"task": "operations.tickets.tasks.ticket_photo_files_sweep", "schedule": 86400.0},
    # The directory search's indexes made to match the content: the fallback of every
    # indexing job the broker lost (search/tasks.py).
    "search-reconcile": {"task": "search.tasks.search_reconcile", "schedule": 3600.0},
    # Editors' drafts kept for the headless preview, past their lifetime.
    "page-previews-delete-stale": {"task": "cms.preview.tasks.page_previews_delete_stale", "schedule": 3600.0},
    # Resolutions: open the announced ones whose voting starts (fixing the electorate), close and
    # count those whose voting has ended and notify the owners.
    "resolutions-advance": {"task": "operations.surveys.tasks.resolutions_advance", "schedule": 300.0},
    # Anonymous surveys' answers, counted in shuffled batches (models.SealedBallot).
    "anonymous-ballots-seal": {"task": "operations.surveys.tasks.anonymous_ballots_seal", "schedule": 600.0},
    # Surveys and votes: remind those who have not answered when it opens and once before it closes.
    "surveys-reminders-send": {"task": "operations.surveys.tasks.reminders_send", "schedule": 900.0},
    # Charge imports whose worker was lost (no progress for 10 minutes) are taken up again.
    "billing-charge-imports-resume": {"task": "operations.billing.tasks.charge_imports_resume", "schedule": 300.0},
    # Payment reminders before and after due dates, each once (a missed day is made up the next).
    "billing-payment-reminders-send": {
        "task": "operations.billing.tasks.payment_reminders_send",
        "schedule": crontab(hour=8, minute=0),  # the cooperative's time (CELERY_TIMEZONE)
    },
}
# Sign-in attempts hold IP addresses (personal data): kept this long, then deleted.
SIGNIN_HISTORY_DAYS = int(os.environ.get("SIGNIN_HISTORY_DAYS", "90"))

# --- Mail ------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A hung mail server must not hold a delivery past its lease (MESSAGING_LEASE_SECONDS).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "biuro@spoldzielnia.example")

# --- GraphQL API -----------------------------------------------------------------------
# Messaging: e-mail goes through EMAIL_BACKEND; SMS and push through providers (see
# operations/messaging/providers). The embedded default writes SMS and push messages as
# JSON files under MESSAGING_FILE_DIR, so nothing leaves the machine until configured.
MESSAGING_FILE_DIR = Path(os.environ.get("MESSAGING_FILE_DIR", BASE_DIR / "var" / "messages"))
_SMS_PROVIDERS = {
    "file": {"BACKEND": "operations.messaging.providers.sms.FileSmsProvider"},
    "smsapi": {
        "BACKEND": "operations.messaging.providers.sms.SmsApiProvider",
        "OPTIONS": {
            "token": os.environ.get("SMSAPI_TOKEN", ""),
            "url": os.environ.get("SMSAPI_URL", "https://api.smsapi.pl/sms.do"),
            "sender": os.environ.get("SMS_SENDER", ""),
            "rate_per_second": float(os.environ.get("SMS_RATE_PER_SECOND", "10")),
        },
    },
}
# The secret part of the address SMSAPI calls with delivery reports
# (<BASE_URL>/messages/reports/smsapi/<secret>/); empty: the address answers 404.
SMS_REPORT_SECRET = os.environ.get("SMS_REPORT_SECRET", "")
_PUSH_PROVIDERS = {
    "file": {"BACKEND": "operations.messaging.providers.push.FilePushProvider"},
    "expo": {
        "BACKEND": "operations.messaging.providers.push.ExpoPushProvider",
        "OPTIONS": {
            "access_token": os.environ.get("EXPO_ACCESS_TOKEN", ""),
            "url": os.environ.get("EXPO_PUSH_URL", "https://exp.host/--/api/v2/push/send"),
            "rate_per_second": float(os.environ.get("PUSH_RATE_PER_SECOND", "100")),
        },
    },
}
MESSAGING_PROVIDERS = {
    "email": {
        "BACKEND": "operations.messaging.providers.email.DjangoEmailProvider",
        "OPTIONS": {"rate_per_second": float(os.environ["EMAIL_RATE_PER_SECOND"])}
        if os.environ.get("EMAIL_RATE_PER_SECOND")
        else {},
    },
    "sms": _SMS_PROVIDERS[os.environ.get("SMS_PROVIDER", "file")],
    "push": _PUSH_PROVIDERS[os.environ.get("PUSH_PROVIDER", "file")],
}
# Deliveries are claimed in batches; a temporary failure is retried after
# MESSAGING_RETRY_BASE_SECONDS × 2^(attempt-1), at most MESSAGING_MAX_ATTEMPTS times.
MESSAGING_BATCH_SIZE = int(os.environ.get("MESSAGING_BATCH_SIZE", "200"))
MESSAGING_MAX_ATTEMPTS = int(os.environ.get("MESSAGING_MAX_ATTEMPTS", "6"))
MESSAGING_RETRY_BASE_SECONDS = int(os.environ.get("MESSAGING_RETRY_BASE_SECONDS", "60"))
MESSAGING_RETRY_MAX_SECONDS = 6 * 3600
# A claimed delivery not recorded within this time (a worker died) goes back to the queue.
MESSAGING_LEASE_SECONDS = 300
# One task run sends for at most this long, then queues its continuation, so a large
# broadcast never holds a worker for hours and its progress stays visible.
MESSAGING_TASK_SECONDS = 50
MESSAGING_SMS_MAX_SEGMENTS = 3

# Tickets: warn when this share of the time to the deadline has passed; done tickets the
# resident neither confirms nor reopens within TICKET_REOPEN_DAYS close themselves.
TICKET_WARNING_SHARE = float(os.environ.get("TICKET_WARNING_SHARE", "0.8"))
TICKET_REOPEN_DAYS = int(os.environ.get("TICKET_REOPEN_DAYS", "7"))

# Ticket photos: upload limits (see operations/tickets/photos.py) and how many a ticket holds.
TICKET_PHOTO_MAX_BYTES = int(os.environ.get("TICKET_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
TICKET_PHOTOS_MAX_PER_TICKET = 20
TICKET_PHOTOS_PER_REQUEST = 5
# A multipart GraphQL request may carry this many files in all (whatever its aliases), and
# is refused before it is read when larger than GRAPHQL_MAX_UPLOAD_BYTES.
# (twice one field's photos: a field with too many gets a typed PHOTO_COUNT error).
GRAPHQL_MAX_UPLOAD_FILES = 2 * TICKET_PHOTOS_PER_REQUEST
GRAPHQL_MAX_UPLOAD_BYTES = TICKET_PHOTOS_PER_REQUEST * TICKET_PHOTO_MAX_BYTES + 1024 * 1024
# Anonymous common-area reports: at most this many an hour from one address / one contact.
TICKET_ANONYMOUS_LIMIT_PER_ADDRESS = int(os.environ.get("TICKET_ANONYMOUS_LIMIT_PER_ADDRESS", "5"))
TICKET_ANONYMOUS_LIMIT_PER_CONTACT = int(os.environ.get("TICKET_ANONYMOUS_LIMIT_PER_CONTACT", "3"))
TICKET_ANONYMOUS_LIMIT_PER_BUILDING = int(os.environ.get("TICKET_ANONYMOUS_LIMIT_PER_BUILDING", "10"))
TICKET_ANONYMOUS_LIMIT_TOTAL = int(os.environ.get("TICKET_ANONYMOUS_LIMIT_TOTAL", "60"))
# Signed-in residents, an hour: reports, comments (staff and firms are not limited), photos.
TICKET_REPORTS_PER_USER_PER_HOUR = int(os.environ.get("TICKET_REPORTS_PER_USER_PER_HOUR", "20"))
TICKET_COMMENTS_PER_USER_PER_HOUR = int(os.environ.get("TICKET_COMMENTS_PER_USER_PER_HOUR", "60"))
TICKET_PHOTOS_PER_USER_PER_HOUR = int(os.environ.get("TICKET_PHOTOS_PER_USER_PER_HOUR", "60"))

# Billing (operations/billing). Individual account numbers are the bank's settlement
# number (8 digits with its own check digit: the branch that runs the cooperative's virtual
# accounts) and the prefix the bank gave the cooperative, followed by each account's
# identifier. Both come from the bank contract, so they live here rather than in an admin
# form; `manage.py check` refuses invalid ones. The defaults make demo numbers of a
# made-up bank (999): production sets both. A number is stored when its account opens and
# never rebuilt, so changing these later never changes a resident's number.
BILLING_BANK_SETTLEMENT_NUMBER = os.environ.get("BILLING_BANK_SETTLEMENT_NUMBER", "99900009")
BILLING_ACCOUNT_PREFIX = os.environ.get("BILLING_ACCOUNT_PREFIX", "4000")
# Whether tenants see the accounts of the units they rent (the owner's charges and
# payments); off: a tenant sees only an account that names them.
BILLING_TENANTS_SEE_ACCOUNTS = env_bool("BILLING_TENANTS_SEE_ACCOUNTS", False)
# Payment reminders (operations/billing/services/reminders.py): days from the day a debt is
# payable by (negative: before it), e.g. "-3,7,30"; a step missed (beat down) is sent later
# while no later step is due and at most BILLING_REMINDER_CATCH_UP_DAYS late. The demand
# step issues a payment demand with its reminder: "last" (the last step after the due
# date), a step's number, or "none".
BILLING_REMINDER_STEPS = tuple(int(step) for step in env_list("BILLING_REMINDER_STEPS") or ("-3", "7", "30"))
BILLING_REMINDER_CATCH_UP_DAYS = int(os.environ.get("BILLING_REMINDER_CATCH_UP_DAYS", "14"))
BILLING_DEMAND_STEP = os.environ.get("BILLING_DEMAND_STEP", "last")
# Documents (operations/billing/services/documents.py): days a payment demand gives to pay;
# the cooperative's tax number (NIP) for the payment QR code and the documents; the payee's
# name in the QR code (at most 20 characters; otherwise the contact card's name, cut to 20);
# the QR code's amount covers what falls due within this many days.
BILLING_DOCUMENT_PAYMENT_DAYS = int(os.environ.get("BILLING_DOCUMENT_PAYMENT_DAYS", "7"))
BILLING_ISSUER_NIP = os.environ.get("BILLING_ISSUER_NIP", "")
BILLING_QR_RECIPIENT = os.environ.get("BILLING_QR_RECIPIENT", "")
BILLING_QR_DAYS_AHEAD = int(os.environ.get("BILLING_QR_DAYS_AHEAD", "31"))
# Anonymous surveys' answers are counted at least this many at a time (all once it closes).
SURVEYS_ANONYMOUS_BATCH = int(os.environ.get("SURVEYS_ANONYMOUS_BATCH", "5"))

STRAWBERRY_DJANGO = {
    # Help texts are translated and written for editors; API descriptions are written for
    # developers, in English, on the fields themselves, so the contract never depends on language.
    "FIELD_DESCRIPTION_FROM_HELP_TEXT": False,
    "TYPE_DESCRIPTION_FROM_MODEL_DOCSTRING": True,
    "MUTATIONS_DEFAULT_HANDLE_ERRORS": True,
    "PAGINATION_DEFAULT_LIMIT": 20,
}
# The one schema (cms/schema.py merges every app's), served at /graphql.
GRAPHQL_SCHEMA = "cms.schema.schema"
# Answers to queries of shared content (news, documents, pages...) are kept this many
# seconds at most, per audience set, and dropped at once when content changes
# (cms.core.graphql.response_cache); 0 turns the cache off.
GRAPHQL_RESPONSE_CACHE_SECONDS = int(os.environ.get("GRAPHQL_RESPONSE_CACHE_SECONDS", "300"))
# Models outside the content apps whose changes show in shared answers: the buildings
# news and documents name, and the audiences that decide who passes a `login` restriction.
CONTENT_VERSION_ALSO_RAISED_BY = ["residents.Estate", "residents.Building", "residents.Audience"]
GRAPHQL_MAX_PAGE_SIZE = 100
GRAPHQL_MAX_DEPTH = 12
GRAPHQL_MAX_ALIASES = 30
GRAPHQL_MAX_TOKENS = 2000
# Introspection (`__schema`, `__type`) and "Did you mean …?" in error messages: on here, for
# GraphiQL and whoever writes queries; production turns both off unless told otherwise
# (cms/core/graphql/disclosure.py).
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", True)
# Persisted operations (cms/core/graphql/persisted.py): the files here are the allow-list a
# client may send by SHA-256 (Apollo's `extensions.persistedQuery`), listed for frontends at
# /graphql/operations.json. Clients never register new ones.
GRAPHQL_OPERATIONS_DIR = Path(os.environ.get("GRAPHQL_OPERATIONS_DIR", BASE_DIR / "graphql" / "operations"))
# When on, only those operations run: any other query text is refused with
# PERSISTED_QUERY_REQUIRED. Off here and in development and tests; production turns it on
# unless GRAPHQL_PERSISTED_ONLY=0. Mobile and other client developers add the operations
# their app sends to graphql/operations/ (validated against the schema snapshot in CI and
# deployed with the server), and develop against a server with this off (the dev settings,
# or a staging server with GRAPHQL_PERSISTED_ONLY=0).
GRAPHQL_PERSISTED_ONLY = env_bool("GRAPHQL_PERSISTED_ONLY", False)
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))

# --- Sign-in throttling ----------------------------------------------------------------
# Failures within the window (see operations/residents/throttling.py): from the SOFT
# limits on each further attempt is delayed; at the HARD limits one account from one
# address, or one address for accounts it has not signed in before, is refused until the
# window has passed. An account as a whole is only ever slowed down, never locked.
SIGNIN_WINDOW_MINUTES = 15
SIGNIN_SOFT_LIMIT = 3
SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS = int(os.environ.get("SIGNIN_HARD_LIMIT_ACCOUNT_ADDRESS", "5"))
SIGNIN_SOFT_LIMIT_ADDRESS = 10
SIGNIN_HARD_LIMIT_ADDRESS = int(os.environ.get("SIGNIN_HARD_LIMIT_ADDRESS", "20"))
SIGNIN_DELAY_SECONDS = float(os.environ.get("SIGNIN_DELAY_SECONDS", "1.0"))
# Account sign-ups from one address per hour (a household or an office shares an address).
REGISTRATION_LIMIT_PER_HOUR = int(os.environ.get("REGISTRATION_LIMIT_PER_HOUR", "10"))
# Password reset requests from one address per hour: for any one e-mail address, and for
# all together (requests refused by the first do not count for the second). A stranger
# behind a shared router blocks a neighbour's own request only with 30 accepted requests
# (for at least 10 distinct e-mail addresses) within the hour.
PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR = int(
    os.environ.get("PASSWORD_RESET_LIMIT_PER_NETWORK_AND_EMAIL_PER_HOUR", "3")
)
PASSWORD_RESET_LIMIT_PER_HOUR = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_HOUR", "30"))
# E-mails about an account (confirmation and reset links, "you already have an account")
# to one e-mail address per hour, from registration and reset together; beyond it the
# request gets the same answer and nothing is sent (nobody can flood a mailbox).
ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = int(os.environ.get("ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR", "3"))
# How long a link to confirm an account or to set a new password works, in seconds.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(24 * 3600)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
