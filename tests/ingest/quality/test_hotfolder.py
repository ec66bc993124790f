"""Hot-folder stacks: each subfolder of a stack station's hot folder is one stack, taken once
every file in it has settled; refused ones move to .rejected/ with a note."""

from __future__ import annotations

import pytest

from archive.models import Household
from ingest import hotfolder, pipeline
from ingest.models import Document, DocumentPart, Station
from tests.ingest.quality.conftest import jpeg
from tests.scanning.test_scanned_stack import _build_stack, _check
from tests.synthetic.degrade import downsample
from tests.synthetic.scans import write_jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(settings, tmp_path):
    settings.HEDANG_INBOX_DIR = tmp_path / "inbox"
    return settings.HEDANG_INBOX_DIR


@pytest.fixture
def queued(monkeypatch):
    taken = []
    monkeypatch.setattr("ingest.intake.enqueue", taken.append)
    return taken


def _station(hubei, inbox, **kw) -> Station:
    station = Station.objects.create(
        name="stack-1", agency=hubei["420000"], stack_folders=True, **kw
    )
    (inbox / station.name).mkdir(parents=True)
    return station


def test_a_half_written_subfolder_waits_until_it_settles(hubei, inbox, queued, form_pages):
    _station(hubei, inbox)
    folder = inbox / "stack-1" / "job-0001"
    folder.mkdir()
    (folder / "p-0001.jpg").write_bytes(jpeg(form_pages[0]))
    writing = folder / ".p-0002.jpg.part"
    writing.write_bytes(b"\xff\xd8\xff" + b"0" * 100)
    watcher = hotfolder.Watcher(settle=2.0)
    assert watcher.settled(now=0.0) == []
    writing.write_bytes(writing.read_bytes() + b"1" * 100)  # the scanner is still writing
    assert watcher.settled(now=3.0) == []
    writing.rename(folder / "p-0002.jpg")  # written and renamed: a new file, not settled yet
    assert watcher.settled(now=4.0) == []
    assert watcher.settled(now=7.0) == [folder]
    assert not queued


def test_top_level_files_of_a_stack_station_go_in_one_by_one(hubei, inbox, queued, form_pages):
    _station(hubei, inbox)
    single = inbox / "stack-1" / "single.jpg"
    single.write_bytes(jpeg(downsample(form_pages[0], 150), 150))
    watcher = hotfolder.Watcher(settle=1.0)
    watcher.settled(now=0.0)
    (document,) = watcher.take(watcher.settled(now=2.0))
    assert document.status == Document.Status.REJECTED
    assert (inbox / "stack-1" / ".rejected" / "single.jpg").exists()


def test_a_refused_subfolder_moves_to_rejected_with_a_note(hubei, inbox, queued, form_pages):
    _station(hubei, inbox)
    folder = inbox / "stack-1" / "job-0002"
    write_jpeg(form_pages[0], folder / "p-0001.jpg", dpi=300)
    write_jpeg(downsample(form_pages[1], 150), folder / "p-0002.jpg", dpi=150)
    watcher = hotfolder.Watcher(settle=1.0)
    watcher.settled(now=0.0)
    (document,) = watcher.take(watcher.settled(now=2.0))
    assert document.status == Document.Status.REJECTED and document.original_name == "job-0002.pdf"
    moved = inbox / "stack-1" / ".rejected" / "job-0002"
    assert not folder.exists() and sorted(p.name for p in moved.iterdir()) == [
        "p-0001.jpg",
        "p-0002.jpg",
    ]
    note = (moved.parent / "job-0002.原因.txt").read_text(encoding="utf-8")
    assert note.strip() == "第 2 页分辨率低于 200 dpi：150 dpi"


def test_a_subfolder_of_72_dpi_a4_jpegs_is_refused_by_the_pixel_rule(
    hubei, inbox, queued, form_pages
):
    """595×842 px JPEGs marked 72 dpi, joined, made exact A4 pages whose 72 dpi reads as a
    program's default: the stack used to go to review; now it is refused with the rule."""
    from archive.models import Item

    _station(hubei, inbox)
    folder = inbox / "stack-1" / "job-0003"
    write_jpeg(form_pages[0], folder / "p-0001.jpg", dpi=300)
    write_jpeg(form_pages[1].resize((595, 842)), folder / "p-0002.jpg", dpi=72)
    watcher = hotfolder.Watcher(settle=1.0)
    watcher.settled(now=0.0)
    (document,) = watcher.take(watcher.settled(now=2.0))
    assert document.status == Document.Status.REJECTED and document.sha256 == ""
    assert not queued and not Item.objects.exists()
    note = (inbox / "stack-1" / ".rejected" / "job-0003.原因.txt").read_text(encoding="utf-8")
    assert note.strip() == (
        "p-0002.jpg：第 2 页分辨率低于 200 dpi：595×842 像素的 A4 页面约 72 dpi"
        "（标注 72 dpi（软件默认值，非扫描分辨率）），A4 按 200 dpi 至少需 1654×2339 像素"
    )
    assert sorted(p.name for p in (inbox / "stack-1" / ".rejected" / "job-0003").iterdir()) == [
        "p-0001.jpg",
        "p-0002.jpg",
    ]


@pytest.mark.slow
def test_a_subfolder_of_jpegs_with_separator_sheets_is_one_document_split_into_items(
    hubei, inbox, queued, tmp_path, django_capture_on_commit_callbacks
):
    station = _station(hubei, inbox, dpi=300, colour_mode="grey")
    pages, expected = _build_stack(tmp_path, hubei)
    folder = inbox / station.name / "job-0003"
    for number, image in enumerate(pages, start=1):
        write_jpeg(image, folder / f"scan-{number:04d}.jpg", dpi=300)
    watcher = hotfolder.Watcher(settle=1.0)
    assert watcher.settled(now=0.0) == []
    # Queued once the document's row is committed (ingest.intake), as the worker needs it.
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = watcher.take(watcher.settled(now=2.0))
    assert not folder.exists() and queued == [document]
    assert document.batch.source == "hot_folder" and document.batch.station == station
    document = pipeline.process(document.pk)
    _check([document], expected)
    for part in DocumentPart.objects.filter(document=document).select_related("item"):
        checked = part.item.fields["page_quality"]
        assert checked["part"] == {"first_page": part.first_page, "last_page": part.last_page}
        assert [p["page"] for p in checked["pages"]] == list(range(1, part.item.page_count + 1))
        assert checked["refused"] == [] and checked["profile"]["colour_mode"] == "grey"
    assert Household.objects.count() == len(expected)
