"""One way in for paper: :func:`intake`.

Every source of files (采集上传, 高拍仪采集, a station's hot folder, its stack folders, the
``ingest`` and ``ingest_stack`` commands) hands its files here. Intake opens the batch with the
station's defaults under what the source named, writes the batch to the operation log, hands
each file to the pipeline (sniffed and checked once, stored, a Document), and queues each
queued document for the workers only after its row is committed, so a fast worker finds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from archive import audit
from archive.models import Agency, Household, Subtype
from ingest import pipeline, sniff
from ingest.models import Batch, Document, Station
from ingest.tasks import enqueue


@dataclass(frozen=True)
class Incoming:
    """One file for the pipeline.

    ``checked``: the source already checked these bytes as the pipeline would (sniff and
    resolution), so they are not checked again. ``refused``: the source already knows the
    file cannot be taken (a stack whose images cannot be joined): it is recorded as refused.
    """

    name: str
    data: bytes
    checked: sniff.Sniffed | None = None
    refused: str = ""


@dataclass
class Intake:
    batch: Batch
    # One list of documents per incoming file, in order (a ZIP gives several).
    taken: list[list[Document]] = field(default_factory=list)

    @property
    def documents(self) -> list[Document]:
        return [d for each in self.taken for d in each]


@dataclass(frozen=True)
class Defaults:
    """What the batch says about its files: household, category, subtype."""

    household: Household | None
    category: str
    subtype: Subtype | None


def station_defaults(
    station: Station | None,
    household: Household | None = None,
    category: str = "",
    subtype: Subtype | None = None,
    user=None,
) -> Defaults:
    """What the source named, with the station's defaults where it named nothing.

    The station's household only for a user who may see it; its category and subtype only
    when the source named neither. A subtype names its category.
    """
    if station is not None:
        if household is None and station.default_household_id:
            households = Household.objects.all()
            if user is not None:
                households = Household.objects.visible_to(user)
            household = households.filter(pk=station.default_household_id).first()
        if not category and subtype is None:
            category, subtype = station.default_category, station.default_subtype
    if subtype is not None and not category:
        category = subtype.category
    return Defaults(household, category or "", subtype)


def intake(
    files: Iterable[Incoming],
    *,
    source: str,
    agency: Agency,
    user=None,
    station: Station | None = None,
    household: Household | None = None,
    category: str = "",
    subtype: Subtype | None = None,
    detail: dict | None = None,
    queue: bool = True,
    then: Callable[[Incoming, list[Document]], None] | None = None,
) -> Intake:
    """A new batch of ``source`` with ``files`` taken into it.

    ``files`` may be a generator: each file's bytes are read when its turn comes. ``detail``
    adds to the batch's operation-log entry (e.g. the number of files or pages). With
    ``queue=False`` nothing is queued (``ingest --sync`` processes the documents itself).
    ``then(incoming, documents)`` runs after each file is committed (the hot folder removes
    the file there, so a crash mid-batch leaves only files not yet stored in the inbox).
    """
    defaults = station_defaults(station, household, category, subtype, user)
    with transaction.atomic():
        batch = Batch.objects.create(
            source=source,
            agency=agency,
            created_by=user,
            station=station,
            household=defaults.household,
            category=defaults.category,
            subtype=defaults.subtype,
        )
        entry = {
            "source": batch.source,
            "household": batch.household_id,
            "category": batch.category,
            "subtype": batch.subtype_id,
        }
        if station is not None:
            entry["station"] = station.pk
        audit.record(audit.Action.CREATE, batch, user=user, detail={**entry, **(detail or {})})
    result = Intake(batch)
    for incoming in files:
        documents = take(batch, incoming, queue=queue)
        result.taken.append(documents)
        if then is not None:
            then(incoming, documents)
    return result


def take(batch: Batch, incoming: Incoming, *, queue: bool = True) -> list[Document]:
    """One file into an open batch, in its own transaction; queued after the commit."""
    with transaction.atomic():
        if incoming.refused:
            documents = [pipeline.reject(batch, incoming.name, incoming.data, incoming.refused)]
        else:
            documents = pipeline.submit(batch, incoming.name, incoming.data, incoming.checked)
        if queue:
            for document in documents:
                if document.status == Document.Status.QUEUED:
                    # After the row is committed, never before: a fast worker must find it.
                    transaction.on_commit(lambda d=document: enqueue(d))
    return documents
