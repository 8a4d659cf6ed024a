from oncocenter.pediatrics.tests.world import world  # noqa: F401 (a fixture shared by the pediatric services)
