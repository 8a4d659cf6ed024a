"""Navigation links and role home-page worklists of the radiotherapy area."""


def register() -> None:
    return None
