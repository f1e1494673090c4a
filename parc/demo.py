"""Demo users of the foundation. Each app adds its own `demo.py`; `load_demo` calls them in
dependency order. Every loader must be idempotent: a second run changes nothing."""

from django.contrib.auth import get_user_model

# Fixed logins for the demo database only (README.md lists them).
DEMO_PASSWORD = "parc-demo-2026"
ADMIN = {"username": "admin", "first_name": "Quản trị", "last_name": "hệ thống", "is_staff": True, "is_superuser": True}


# (username, what the account is for): load_demo prints every module's LOGINS.
LOGINS = [("admin", "administrator (Django staff): register, catalogue, users, imports")]


def ensure_user(*, username, password=DEMO_PASSWORD, **fields):
    """Create the user once; later runs leave an existing account exactly as it is."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created


def load(stdout=None):
    _, created = ensure_user(**ADMIN)
    return {"users created": int(created)}
