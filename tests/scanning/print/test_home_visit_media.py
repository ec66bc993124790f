"""Home-visit photos and video: the standard's rules on real JPEG/PNG files and real MP4s."""

from __future__ import annotations

import io
import subprocess
from urllib.parse import quote

import pytest
from PIL import ExifTags, Image

from scanning import media

TAKEN = "2024:03:07 10:15:32"


def photo(width=4000, height=3000, fmt="JPEG", exif=True) -> bytes:
    image = Image.new("RGB", (width, height), (180, 200, 170))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[ExifTags.Base.Make] = "HUAWEI"
        data[ExifTags.Base.Model] = "P60"
        data.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = TAKEN
        gps = data.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps[ExifTags.GPS.GPSLatitude] = (30.0, 35.0, 42.0)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps[ExifTags.GPS.GPSLongitude] = (114.0, 18.0, 9.0)
        gps[ExifTags.GPS.GPSAltitude] = 23.5
        kwargs["exif"] = data
    image.save(out, fmt, **kwargs)
    return out.getvalue()


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")

    def make(name, size, *extra):
        path = folder / name
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=1",
             "-t", "1", "-pix_fmt", "yuv420p", *extra, str(path)],
            check=True,
        )  # fmt: skip
        return path

    return {
        "hd": make("hd.mp4", "1920x1080"),
        "portrait": make("portrait.mp4", "1080x1920"),
        "small": make("small.mp4", "1280x720"),
        "mov": make("hd.mov", "1920x1080", "-f", "mov"),
    }


@pytest.fixture(scope="module")
def photos():
    return [(f"IMG_{n}.jpg", photo()) for n in range(3)]


def test_good_photo_keeps_exif_time_and_place(photos):
    (check,) = media.check_photos(photos[:1])
    assert check.ok and check.media_type == "image/jpeg"
    assert (check.width, check.height) == (4000, 3000)
    assert check.metadata["taken_at"] == TAKEN
    assert check.metadata["make"] == "HUAWEI"
    gps = check.metadata["gps"]
    assert gps["latitude"] == pytest.approx(30 + 35 / 60 + 42 / 3600)
    assert gps["longitude"] == pytest.approx(114 + 18 / 60 + 9 / 3600)
    assert gps["altitude"] == pytest.approx(23.5)


def test_png_passes_and_pixel_rule_is_named():
    png, small = media.check_photos(
        [("a.png", photo(4000, 3000, "PNG", exif=False)), ("b.jpg", photo(3024, 3024))]
    )
    assert png.ok and png.media_type == "image/png"
    assert small.problems == ["照片“b.jpg”像素不足 1200 万：3024×3024 = 914 万"]


def test_other_formats_are_refused():
    gif = io.BytesIO()
    Image.new("RGB", (4000, 3000)).save(gif, "GIF")
    checks = media.check_photos([("x.gif", gif.getvalue()), ("y.jpg", b"not an image")])
    assert "不是 JPG 或 PNG" in checks[0].problems[0]
    assert "不是 JPG 或 PNG" in checks[1].problems[0]


def test_set_needs_three_photos(photos):
    problems = media.photo_set_problems(media.check_photos(photos[:2]))
    assert problems == ["照片少于 3 张（只有 2 张）"]


def test_video_rules(videos):
    hd = media.check_video(videos["hd"])
    assert hd.ok, hd.problems
    assert (hd.width, hd.height) == (1920, 1080) and hd.metadata["codec"] == "h264"
    assert media.check_video(videos["portrait"]).ok
    assert media.check_video(videos["hd"].read_bytes()).ok
    small = media.check_video(videos["small"])
    assert small.problems == ["视频“small.mp4”分辨率低于 1080p：1280×720"]
    mov = media.check_video(videos["mov"])
    assert any("不是 MP4" in p for p in mov.problems)
    assert any("不是 MP4" in p for p in media.check_video(("junk.mp4", b"hello")).problems)


@pytest.mark.django_db
def test_attach_stores_files_and_metadata(make_household, make_item, make_user, photos, videos):
    from archive.models import AuditEntry, File

    item = make_item(make_household("420102"), "RHB")
    user = make_user("420102")
    files = media.attach_home_visit_media(item, photos, videos["hd"], user=user)
    assert len(files) == 4
    assert [f.media_type for f in files] == ["image/jpeg"] * 3 + ["video/mp4"]
    assert [f.role for f in files] == [File.Role.PHOTO] * 3 + [File.Role.VIDEO]
    assert [f.get_role_display() for f in files[2:]] == ["照片", "视频"]
    assert not item.files.filter(role=File.Role.ACCESS).exists()
    item.refresh_from_db()
    entries = item.fields["home_visit_media"]
    assert [e["kind"] for e in entries] == ["photo"] * 3 + ["video"]
    assert entries[0]["metadata"]["taken_at"] == TAKEN
    assert entries[0]["metadata"]["gps"]["latitude"] == pytest.approx(30.595, abs=1e-3)
    first = entries[0]
    assert (first["width"], first["height"], first["megapixels"]) == (4000, 3000, 12.0)
    assert entries[3]["metadata"]["codec"] == "h264"
    assert entries[3]["resolution"] == "1920×1080（1080p）"
    assert entries[3]["metadata"]["duration"] == pytest.approx(1.0, abs=0.1)
    assert {e["file_id"] for e in entries} == {f.pk for f in files}
    entry = AuditEntry.objects.filter(
        action=AuditEntry.Action.CHANGE, object_id=str(item.pk)
    ).latest("id")
    assert entry.actor == user and entry.detail["photos"] == 3


@pytest.mark.django_db
def test_nothing_stored_when_any_rule_fails(make_household, make_item, photos, videos):
    from archive.models import File

    item = make_item(make_household("420102"), "RHB")
    before = File.objects.filter(item=item).count()
    with pytest.raises(media.HomeVisitMediaError) as failure:
        media.attach_home_visit_media(
            item, photos[:2] + [("small.jpg", photo(3024, 3024))], videos["small"]
        )
    problems = failure.value.problems
    assert "照片“small.jpg”像素不足 1200 万：3024×3024 = 914 万" in problems
    assert "视频“small.mp4”分辨率低于 1080p：1280×720" in problems
    assert File.objects.filter(item=item).count() == before
    item.refresh_from_db()
    assert "home_visit_media" not in item.fields
    with pytest.raises(media.HomeVisitMediaError, match="照片少于 3 张"):
        media.attach_home_visit_media(item, photos[:2])


@pytest.mark.django_db
def test_only_on_home_visit_form(make_household, make_item, photos):
    item = make_item(make_household("420102"), "SQS")
    with pytest.raises(media.HomeVisitMediaError, match="入户核查表"):
        media.attach_home_visit_media(item, photos)


def uploads(pairs, content_type="image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [SimpleUploadedFile(name, data, content_type=content_type) for name, data in pairs]


@pytest.mark.django_db
def test_upload_view_stores_a_good_set(
    client, make_user, make_household, make_item, photos, videos
):
    from django.urls import reverse

    item = make_item(make_household("420102"), "RHB")
    client.force_login(make_user("420102", "档案管理员"))
    url = reverse("scanning:home_visit_media", args=(item.pk,))
    assert "尚未附入户照片和视频" in client.get(url).content.decode()
    (video,) = uploads([("visit.mp4", videos["hd"].read_bytes())], "video/mp4")
    response = client.post(url, {"photos": uploads(photos), "video": video}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "已保存 4 个文件" in html
    assert TAKEN in html and "30.595" in html
    assert "4000×3000（12.0 MP）" in html and "1920×1080（1080p）" in html
    item.refresh_from_db()
    assert len(item.fields["home_visit_media"]) == 4
    for entry in item.fields["home_visit_media"]:
        assert reverse("archive_item:download", args=(entry["file_id"],)) in html


@pytest.mark.django_db
def test_upload_view_refuses_naming_the_rules(client, make_user, make_household, make_item, photos):
    from django.urls import reverse

    from archive.models import File

    item = make_item(make_household("420102"), "RHB")
    client.force_login(make_user("420102", "档案管理员"))
    url = reverse("scanning:home_visit_media", args=(item.pk,))
    bad = photos[:1] + [("small.png", photo(3024, 3024, "PNG", exif=False))]
    response = client.post(url, {"photos": uploads(bad)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "照片少于 3 张（只有 2 张）" in html
    assert "照片“small.png”像素不足 1200 万：3024×3024 = 914 万" in html
    assert File.objects.filter(item=item).count() == 1  # only make_item's original


@pytest.mark.django_db
def test_upload_view_other_county_is_404(client, make_user, make_household, make_item, photos):
    from django.urls import reverse

    from archive.models import AuditEntry

    item = make_item(make_household("420105", "刘洋", birth="19660808"), "RHB")
    client.force_login(make_user("420102", "档案管理员"))
    url = reverse("scanning:home_visit_media", args=(item.pk,))
    assert client.post(url, {"photos": uploads(photos)}).status_code == 404
    assert "home_visit_media" not in type(item).objects.get(pk=item.pk).fields
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, object_id=str(item.pk)
    ).exists()


@pytest.fixture
def visited(make_household, make_item, make_user, photos, videos):
    """A filed 入户核查表 with three photos and a video, and a county archivist."""
    from archive.filing import file_item

    item = file_item(make_item(make_household("420102"), "RHB"))
    user = make_user("420102", "档案管理员")
    files = media.attach_home_visit_media(item, photos, videos["hd"], user=user)
    return item, files, user


@pytest.mark.django_db
def test_item_page_shows_photos_and_video(client, visited):
    from django.urls import reverse

    from archive.models import AuditEntry

    item, files, user = visited
    client.force_login(user)
    html = client.get(reverse("archive_item:detail", args=(item.pk,))).content.decode()
    assert 'data-testid="home-visit-media"' in html
    for photo_file in files[:3]:
        assert reverse("archive_item:page_image", args=(photo_file.pk,)) in html
        assert reverse("archive_item:download", args=(photo_file.pk,)) in html
    assert f"{item.archive_number}-入户照片01.jpg" in html
    assert f"{item.archive_number}-入户视频01.mp4" in html
    assert "1920×1080，1080p，时长 1.0 秒" in html
    assert "4000×3000（12.0 MP）" in html and TAKEN in html
    assert ">照片<" in html and ">视频<" in html  # the file list names the roles

    # The inline picture is a small preview; the download is the photo itself, logged.
    preview = client.get(reverse("archive_item:page_image", args=(files[0].pk,)))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(preview.content)) as shown:
        assert max(shown.size) <= 480
    response = client.get(reverse("archive_item:download", args=(files[1].pk,)))
    assert b"".join(response.streaming_content) == photos_bytes(files[1])
    assert quote(f"{item.archive_number}-入户照片02.jpg") in response["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DOWNLOAD, object_id=str(files[1].pk)
    ).exists()
    # A video is not shown inline.
    assert client.get(reverse("archive_item:page_image", args=(files[3].pk,))).status_code == 404


def photos_bytes(file) -> bytes:
    from archive.storage import read_blob

    return read_blob(file.sha256)


@pytest.mark.django_db
def test_api_lists_photos_and_video(client, visited):
    item, files, user = visited
    client.force_login(user)
    listed = client.get(f"/api/v1/items/{item.archive_number}").json()
    evidence = [f for f in listed["files"] if f["role"] in ("photo", "video")]
    assert [f["role"] for f in evidence] == ["photo"] * 3 + ["video"]
    assert [f["sha256"] for f in evidence] == [f.sha256 for f in files]
    assert listed["fields"]["home_visit_media"][3]["resolution"] == "1920×1080（1080p）"
    response = client.get(evidence[3]["url"])
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert quote(f"{item.archive_number}-入户视频01.mp4") in response["Content-Disposition"]
