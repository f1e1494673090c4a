"""The cast every app's tests share.

- `editor`: an officer of district A (Huyện Châu Thành) who enters figures for it and its communes;
- `reviewer`: the province's Home Affairs department (reviews every unit of the province);
- `leader`: a viewer of the province (reads dashboards);
- `outsider`: an officer of district B, who must see nothing of district A;
- `staff`: an administrator.
"""

import pytest
from django.core.cache import cache

from units.models import Role
from units.testing import grant, make_tree


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database rolls back after a test, the in-memory
    cache would not, and a cached calendar or dashboard must not leak into the next test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    return make_tree()


def _user(django_user_model, username, **extra):
    return django_user_model.objects.create_user(username, password=f"{username}-password-1", **extra)


@pytest.fixture
def alice(django_user_model):
    """A signed-in user with no unit at all."""
    return _user(django_user_model, "alice", first_name="Alice")


@pytest.fixture
def staff(django_user_model):
    return _user(django_user_model, "quantri", is_staff=True, is_superuser=True)


@pytest.fixture
def editor(django_user_model, tree):
    return grant(_user(django_user_model, "canbo_a", first_name="Nguyễn Văn An"), tree["district_a"], Role.EDITOR)


@pytest.fixture
def reviewer(django_user_model, tree):
    return grant(_user(django_user_model, "sonoivu", first_name="Lê Minh Châu"), tree["province"], Role.REVIEWER)


@pytest.fixture
def leader(django_user_model, tree):
    return grant(_user(django_user_model, "lanhdao", first_name="Phạm Quốc Dũng"), tree["province"], Role.VIEWER)


@pytest.fixture
def outsider(django_user_model, tree):
    return grant(_user(django_user_model, "canbo_b", first_name="Trần Thị Bình"), tree["district_b"], Role.EDITOR)
