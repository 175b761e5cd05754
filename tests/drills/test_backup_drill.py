"""The backup drill in every ``make test``: back up, restore into a fresh database, verify — real processes.

Runs on the suite's database (SQLite file, or PostgreSQL with real ``pg_dump``/``pg_restore``): a few
dossiers with stored files (components and a signed result) are committed, then
``bench.drills.backup_drill.drill`` runs ``motcua backup``, ``motcua restore`` into a database created
for the drill and ``motcua verify-backup``, each in its own process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bench.drills.backup_drill import drill
from motcua.core.tests import upload_files
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import dossier_advance, dossier_receive_at_counter, world_build
from motcua.jobs.tests.worker_process import database_url


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # committed rows, visible to the commands' processes
def test_backup_restore_verify_drill(tmp_path: Path, settings) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    world = world_build()
    form = world.procedure.documents.order_by("order")[0]
    for index in range(2):
        upload = SimpleUploadedFile(
            f"don-{index}.pdf", upload_files.pdf_bytes(pages=index + 1), content_type="application/pdf"
        )
        dossier = dossier_receive_at_counter(
            world, components=[services.ComponentData(document_id=form.pk, paper_presented=True, file=upload)]
        )
    dossier_advance(world, dossier, to="signed")  # a signed result file too

    figures = drill(database_url=database_url(), media_root=media, workdir=tmp_path / "drill")

    stored = [path for path in media.rglob("*") if path.is_file()]
    assert figures.files == len(stored) == 3
    assert figures.file_bytes == sum(path.stat().st_size for path in stored)
    assert (figures.dossiers, figures.events) == (2, DossierEvent.objects.count())
    assert figures.dossiers == Dossier.objects.count()
    assert "khớp hoàn toàn" in figures.outputs["verify"]
    restored = tmp_path / "drill" / "restored-media"
    assert sorted(p.relative_to(restored) for p in restored.rglob("*") if p.is_file()) == sorted(
        p.relative_to(media) for p in stored
    )
    print("\n".join(figures.lines()))
