"""Flask extensions, created once and bound in ``create_app``."""

from flask import current_app, request
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AppSession(FlaskSession):
    """A session that carries the app's audit key in ``info`` from its creation, so services
    sign audit entries with the key of the session they were given (a plain SQLAlchemy session
    works too: ``Session(engine, info={"audit_key": key})``)."""

    def __init__(self, db: SQLAlchemy, **kwargs) -> None:
        super().__init__(db, **kwargs)
        self.info.setdefault("audit_key", current_app.config["AUDIT_KEY"])


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING), session_options={"class_": AppSession})
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()


def client_ip() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=client_ip, default_limits=[], headers_enabled=True)
