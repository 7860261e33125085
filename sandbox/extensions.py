"""Flask extensions, created unbound and initialised by create_app."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .models import Base

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
migrate = Migrate()  # `flask db ...` for writing migrations; the sandbox applies them itself (sandbox/runtime/schema.py)
