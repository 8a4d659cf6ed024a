"""Pediatric hemato-oncology profile and support services (issue 7).

Pediatric profile (Lansky display, BSA, sedation), HSCT episodes, hospital school, aid
associations, family shelter, palliative care and social work. ``calc`` and ``vocab`` are pure
Python (no Django) so that their rules can be tested and reused on their own.
"""
