"""Default configuration. Every key can be overridden by an environment variable with the
FPS_SANDBOX_ prefix (e.g. FPS_SANDBOX_FPS_CLOCK_SKEW_SECONDS=60), by instance/config.py, or by
the test_config of create_app. DATABASE_URL selects the database."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout: templates/, fixtures/, migrations/

DEFAULTS = {
    # Largest request body accepted (an FPS request is a few KiB).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Database: the embedded SQLite file in instance/ unless DATABASE_URL is set.
    "SQLALCHEMY_DATABASE_URI": None,
    # The demo world loaded on first run and by `flask reset`.
    "FPS_FIXTURE": "fixtures/demo.json",
    # Fee schedule (fixtures/fees/*.json): "default" or "card-2009", or a path.
    "FPS_FEE_SCHEDULE": "default",
    # Smallest and largest amount one transaction may carry (AmountOutOfRange outside).
    "FPS_MIN_AMOUNT": "0.01",
    "FPS_MAX_AMOUNT": "10000.00",
    # Seconds (on the sandbox clock) before a FundPrepaid or SettleDebt by card or bank account turns
    # from Pending to Success; 0 completes them at once. An Amazon Payments balance is always at once.
    "FPS_PENDING_SECONDS": 3,
    # Sandbox amount triggers on FundPrepaid and SettleDebt: cents .60-.69 temporary decline (Pending,
    # then Failure), .70-.79 Failure (TransactionDenied), .80-.89 InsufficientBalance. False: off.
    "FPS_AMOUNT_TRIGGERS": True,
    # What GetRecipientVerificationStatus answers for a recipient in good standing (the value set is
    # unconfirmed): Active, or VerificationComplete, VerificationCompleteNoLimits, ... (domain/recipients.py).
    "FPS_RECIPIENT_VERIFICATION_STATUS": "Active",
    # Waits (seconds, sandbox clock) between notification delivery attempts: about a day, as FPS did.
    "FPS_IPN_RETRY_SECONDS": "30,60,300,900,1800,3600,7200,14400,28800,28800",
    # Log a call that changes something in the same transaction as the change, so a crash cannot lose the
    # entry of an acknowledged payment (docs/reliability.md). False: buffer it like every other entry and
    # write it within a second: a few per cent more Pays/s on SQLite, and a crash can lose that second.
    "FPS_DURABLE_REQUEST_LOG": True,
    # Run due completions and notification deliveries in a background thread of each server process.
    "FPS_BACKGROUND_WORKER": True,
    # How far a request's Timestamp may be from the real time (AWS convention: 15 minutes).
    "FPS_CLOCK_SKEW_SECONDS": 900,
    # strict: a wrong signature is refused; off: signatures are not checked (never in tests).
    "FPS_SIGNATURE_MODE": "strict",
    # Allowed methods on the Co-Branded pages when the caller sends no paymentMethod (doc: ABT).
    "FPS_DEFAULT_PAYMENT_METHODS": "ABT",
    # The admin console's password (HTTP Basic, any user name) for requests that do not come from this
    # machine. Without one, the console answers only loopback requests.
    "FPS_ADMIN_PASSWORD": None,
    # Host names the console answers to besides localhost, 127.0.0.1 and ::1 (comma-separated; any port),
    # so a page whose own name resolves to this machine (DNS rebinding) cannot reach it. Add the name a
    # deployment is reached by, with FPS_ADMIN_PASSWORD; "*" answers any name (not advised).
    "FPS_ADMIN_HOSTS": None,
    # Where versions before 0013 kept named snapshot files (default: instance/snapshots); `flask init-db` reads
    # them into the database, which keeps snapshots since.
    "FPS_SNAPSHOT_DIR": None,
    # Deterministic mode (docs/classroom.md): with a seed, ids and times are the same on every run of the same
    # calls (golden XML, a lesson's screenshots), whichever server process answers. None draws from the OS.
    "FPS_SEED": None,
    # Where a seeded sandbox's clock starts (UTC); it moves one second per request that can make something.
    "FPS_SEED_EPOCH": "2026-01-01T00:00:00Z",
    # How many sandboxes of their own (a class's, /admin/classroom) one installation may hold besides the
    # default one. Each is a database of its own: a SQLite file, or a PostgreSQL schema.
    "FPS_MAX_SANDBOXES": 100,
    # Where the outbound signing key and certificate live (default: the instance folder).
    "FPS_KEY_DIR": None,
    # Base URL put in certificateUrl; None uses the URL the request came in on.
    "FPS_PUBLIC_URL": None,
}
