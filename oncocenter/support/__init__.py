"""Migrations of the former pediatric support app (see ``apps.py``)."""
