"""Shared fixtures. Database fixtures use a fresh SQLite file per test and, when
``AMTSKOFFER_TEST_PG_URL`` is set (``.ci/run`` does), the same tests against PostgreSQL."""
