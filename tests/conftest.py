"""Shared fixtures: the Hubei agency tree, roles, users per agency and role, households."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import pytest

from tests.browser import browser_page  # noqa: F401  (Playwright + Debian's Chromium)
from tests.s3 import moto_s3, s3_bucket  # noqa: F401  (S3 fixtures: moto_server)

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


def _ensure_reference_data() -> None:
    from django.contrib.auth.models import Group

    from archive.models import Agency, Subtype
    from archive.regions import default_regions_csv, load_regions
    from archive.roles import ROLES, ensure_roles, ensure_standard_subtypes

    if not Agency.objects.exists():
        load_regions(default_regions_csv())
    if not Subtype.objects.exists():
        ensure_standard_subtypes()
    if Group.objects.count() < len(ROLES):
        ensure_roles()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the agency tree once per test database; tests roll back to this state."""
    with django_db_blocker.unblock():
        _ensure_reference_data()


@pytest.fixture
def hubei(db):
    """Agencies for every Hubei region, the standard subtypes and the role groups.

    Reloaded when a transactional test has flushed the tables.
    """
    from archive.models import Agency

    _ensure_reference_data()
    return {a.region_code: a for a in Agency.objects.all()}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(hubei) -> Callable[..., object]:
    """make_user("420102", "档案管理员") → a saved user of that agency with that role."""
    from django.contrib.auth.models import Group

    from archive.models import User

    def make(region_code: str, role: str | None = "档案管理员", username: str | None = None, **kw):
        username = username or f"u{region_code}{(role or 'none').encode().hex()[:8]}"
        user = User.objects.create_user(
            username=username,
            password="pw-Hedang-2026",
            agency=hubei[region_code],
            real_name=kw.pop("real_name", username),
            **kw,
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def make_household(hubei) -> Callable[..., object]:
    """make_household("420102", "张伟") → a household there whose head has a valid resident ID."""
    from archive.identifiers import resident_id_check_char
    from archive.models import Household, Member

    counter = iter(range(100, 1000))

    def make(region_code: str, head_name: str = "张伟", birth: str = "19850315", **kw):
        body = f"{region_code}{birth}{next(counter):03d}"
        id_number = body + resident_id_check_char(body)
        household = Household.objects.create(
            agency=hubei[region_code], head_id_number=id_number, head_name=head_name, **kw
        )
        Member.objects.create(
            household=household, name=head_name, id_number=id_number, relation="本人"
        )
        return household

    return make


@pytest.fixture
def make_item(hubei) -> Callable[..., object]:
    """make_item(household, "RHB") → an unfiled item of that subtype with one stored PDF."""
    from archive.models import File, Item, Subtype
    from archive.pdf import text_pdf
    from archive.storage import store_bytes

    def make(household, subtype_code: str = "RHB", formation_date=dt.date(2024, 3, 6), file=True):
        subtype = Subtype.objects.get(code=subtype_code)
        item = Item.objects.create(
            household=household,
            agency=household.agency,
            category=subtype.category,
            subtype=subtype,
            title=f"{household.head_name}户{subtype.name}",
            formation_date=formation_date,
            page_count=1,
        )
        if file:
            blob = store_bytes(text_pdf(subtype.name, [f"户主：{household.head_name}"]))
            File.objects.create(
                item=item,
                role=File.Role.ORIGINAL,
                sha256=blob.sha256,
                size=blob.size,
                media_type="application/pdf",
            )
        return item

    return make


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    """Every test stores files in its own folder, never in the developer's data directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
        "archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    from django.core.files.storage import storages

    storages._storages = {}
    storages._backends = None
    yield
    storages._storages = {}
    storages._backends = None


@pytest.fixture(autouse=True)
def _accounts_gates_off(request, settings):
    """Sign-in gates (lockout, 2FA, commitment, expiry, sessions…) off unless a test is marked
    ``accounts_gates``: other tests log fixture users in with force_login (accounts.gates)."""
    if "accounts_gates" not in request.keywords:
        from accounts.gates import gates_off

        gates_off(settings)
