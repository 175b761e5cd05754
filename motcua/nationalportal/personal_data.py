"""The national portal's part of personal-data protection (``motcua.privacy.registry``).

The done sync jobs of receipts are the record ``reports-rebuild`` recomputes indicator 1.4 from
(``services.sync_counts_rebuild``, docs/architecture.md §31): the purge of finished jobs keeps them.
Their payload names a dossier and an event, not the applicant.
"""

from __future__ import annotations

from motcua.nationalportal.subscribers import DOSSIER_SYNC
from motcua.privacy.registry import jobs_kept

jobs_kept(DOSSIER_SYNC)
