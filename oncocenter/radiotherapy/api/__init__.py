"""JSON API of the radiotherapy course (mounted at /api/radiotherapy/).

Each endpoint checks the permission first, parses, calls one service and answers; interlocks come
back as problem JSON (409 with the rule's code, 422 naming the field, 403 naming the permission).

One module per part of the course (`courses`, `planning`, `treatment`, `dicom`: imports as jobs
and DVHs), each a Router that this
package's `router` mounts; lookups and serialisers are in `_common`.
"""

from __future__ import annotations

from ninja import Router

from oncocenter.radiotherapy.api import courses, dicom, planning, treatment

router = Router(tags=["radiotherapy"])
router.add_router("", courses.router)
router.add_router("", planning.router)
router.add_router("", treatment.router)
router.add_router("", dicom.router)
