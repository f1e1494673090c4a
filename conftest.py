"""Fixtures every app's tests share. The cast of users grows with the units app."""

import pytest


@pytest.fixture
def alice(django_user_model):
    """A signed-up user with no special rights."""
    return django_user_model.objects.create_user("alice", password="alice-password-1", first_name="Alice")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "quantri", password="staff-password-1", is_staff=True, is_superuser=True
    )
