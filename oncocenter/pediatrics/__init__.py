"""Pediatric hemato-oncology record (issue 7; split out of the former ``support`` app, issue 14).

Pediatric profile (sedation flag), height/weight/BSA, Lansky and ICCC-3 display, HSCT episodes
with GVHD and complications, the pediatric reports with their SVG charts, the "support services"
hub and the pediatric navigation. The support services (school, aid, shelter, palliative care,
social work) are apps of their own above this one; they fill ``hooks`` for the reports and the
patient page. ``calc``, ``rules`` and ``vocab`` are pure Python (no Django).
"""
