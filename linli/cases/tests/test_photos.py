import io
import resource
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from linli.cases.models import Case, CasePhoto, Category


def jpeg_with_gps():
    img = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (38.0, 28.0, 12.0), 3: "E", 4: (106.0, 13.0, 5.0)}  # GPS IFD
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    data = buf.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_resident_photo_is_stored_without_exif_and_served_in_scope_only(world, login, media):
    c = login(world.users.resident)
    cat = Category.objects.get(name="设施维修")
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
    r = c.post(
        reverse("cases:report_mine"), {"category": cat.pk, "description": "灯坏了", "place": "home", "photo": photo}
    )
    assert r.status_code == 302
    stored = CasePhoto.objects.get()
    raw = stored.image.read()
    img = Image.open(io.BytesIO(raw))
    assert img.size == (40, 30) and not img.getexif() and b"PhoneMaker" not in raw
    assert "IMG_0001" not in stored.image.name
    url = stored.get_absolute_url()
    assert login(world.users.grid_a).get(url).status_code == 200
    assert login(world.users.grid_b).get(url).status_code == 404
    assert url in login(world.users.grid_a).get(Case.objects.get().get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_not_a_photo_or_too_big_is_refused_with_a_message(world, login, media, settings):
    c = login(world.users.resident)
    cat = Category.objects.get(name="设施维修")
    r = c.post(
        reverse("cases:report_mine"),
        {"category": cat.pk, "description": "x", "photo": SimpleUploadedFile("a.jpg", b"%PDF-1.4 not an image")},
    )
    assert r.status_code == 200 and "不是照片" in r.content.decode()
    big = SimpleUploadedFile("big.jpg", b"0" * (settings.LINLI_PHOTO_MAX_BYTES + 1))
    r = c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "x", "photo": big})
    assert "10 MB" in r.content.decode()
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


# --- decompression bombs (issue 10, point 8) ------------------------------------------------------


def png(width, height):
    """A valid black-and-white PNG of any size, built row by row: 13000 × 13000 is 169 million
    pixels in about 20 KB, and building it never holds the pixels (Pillow would: 169 MB)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer, row = zlib.compressobj(9), b"\0" * (1 + (width + 7) // 8)  # filter byte, then 1 bit a pixel
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


TOO_MANY = "超过 40,000,000 像素"  # Pillow's guard (at the same bound) refused it from the header


def post_photo(client, world, form, data):
    photo = SimpleUploadedFile("bomb.png", data, content_type="image/png")
    cat = Category.objects.get(name="设施维修")
    if form == "resident":
        return client.post(
            reverse("cases:report_mine"), {"category": cat.pk, "description": "灯坏了", "place": "home", "photo": photo}
        )
    if form == "staff":
        return client.post(
            reverse("cases:report"),
            {
                "channel": "patrol",
                "category": cat.pk,
                "where": "map",
                "map_place": f"grid:{world.grid_a.pk}",
                "description": "灯坏了",
                "photo": photo,
            },
        )
    from linli.cases import actions

    case = Case.objects.get(description="楼道灯坏了")
    if case.state == "accepted":  # the result's photo comes with "handled"
        actions.transition(case.pk, "dispatch", actor=world.users.grid_a, version=case.version, assignee_org=world.pm)
        case = actions.transition(case.pk, "start", actor=world.users.property, version=case.version + 1)
    return client.post(
        reverse("cases:move_handle", args=[case.pk]), {"version": case.version, "note": "已更换灯泡", "photo": photo}
    )


def photo_errors(r):
    """The photo field's errors: the report forms' `form`, or the refused move's `failed`."""
    return (r.context["failed"] if "failed" in r.context else r.context["form"]).errors


@pytest.fixture
def open_case(world):
    from linli.cases import actions

    return actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        description="楼道灯坏了",
        channel="patrol",
    )


FORMS = {"resident": "resident", "staff": "grid_a", "result": "property"}  # the form -> who posts it


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS)
def test_a_small_png_declaring_169_million_pixels_is_refused_from_its_header(world, login, media, open_case, form):
    bomb = png(13000, 13000)
    assert len(bomb) < 100_000  # bytes: nothing a size limit would stop
    c = login(getattr(world.users, FORMS[form]))
    before_rss, started = peak_rss_mb(), time.monotonic()
    r = post_photo(c, world, form, bomb)
    took, grown = time.monotonic() - started, peak_rss_mb() - before_rss
    assert r.status_code in (200, 400)
    assert TOO_MANY in photo_errors(r)["photo"][0], photo_errors(r)
    # decoding would take 169 MB (one byte a pixel) and seconds; the header alone takes neither
    assert grown < 60 and took < 3, (grown, took)
    assert not CasePhoto.objects.exists() and Case.objects.count() == 1  # only the open case of the fixture
    # the move with the bomb did not happen
    assert Case.objects.get().state == ("in_progress" if form == "result" else "accepted")


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS)
def test_the_pixel_bound_is_exact(world, login, media, open_case, settings, form):
    """200 × 50 = 10,000 pixels: accepted at a bound of 10,000, refused at 9,999."""
    c = login(getattr(world.users, FORMS[form]))
    settings.LINLI_PHOTO_MAX_PIXELS = 9_999
    r = post_photo(c, world, form, png(200, 50))
    assert r.status_code in (200, 400)
    assert "10,000 像素（200 × 50），最多只接受 9,999 像素" in photo_errors(r)["photo"][0]
    assert not CasePhoto.objects.exists()
    settings.LINLI_PHOTO_MAX_PIXELS = 10_000
    r = post_photo(c, world, form, png(200, 50))
    assert r.status_code == 302, photo_errors(r)
    assert Image.open(CasePhoto.objects.get().image).size == (200, 50)


def test_pillow_refuses_rather_than_warns_above_the_bound(settings):
    """Pillow's own guard is the same bound and raises, for any other code that opens an image."""
    from linli.cases.photos import guard_pillow

    guard_pillow()
    assert Image.MAX_IMAGE_PIXELS == settings.LINLI_PHOTO_MAX_PIXELS == 40_000_000
    with pytest.raises(Image.DecompressionBombWarning):  # 40.6 million: Pillow would only warn
        Image.open(io.BytesIO(png(6500, 6250)))
    with pytest.raises(Image.DecompressionBombError):  # 169 million: beyond twice the bound
        Image.open(io.BytesIO(png(13000, 13000)))


@pytest.mark.django_db
def test_more_files_than_a_form_takes_are_refused_before_they_are_stored(world, login):
    c = login(world.users.resident)
    files = {f"photo{i}": SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps(), content_type="image/jpeg") for i in range(5)}
    r = c.post(reverse("cases:report_mine"), {"description": "x", **files})
    assert r.status_code == 400
    assert not Case.objects.exists()


def test_photos_are_labelled_and_numbered_within_their_kind():
    from types import SimpleNamespace

    from linli.cases.templatetags.cases import labelled_photos

    photos = [SimpleNamespace(kind=k) for k in ("intake", "intake", "result", "intake", "result")]
    assert [str(alt) for _p, alt in labelled_photos(photos)] == [
        "问题照片 1",
        "问题照片 2",
        "处理结果照片 1",
        "问题照片 3",
        "处理结果照片 2",
    ]


@pytest.mark.django_db
def test_a_request_page_gives_each_photo_its_alternative_text(world, login, media):
    # issue 13: problem and result photos were unlabelled (alt="问题", the kind alone)
    c = login(world.users.resident)
    cat = Category.objects.get(name="设施维修")
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
    c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "灯坏了", "place": "home", "photo": photo})
    stored = CasePhoto.objects.get()
    body = c.get(Case.objects.get().get_absolute_url()).content.decode()
    assert f'<img src="{stored.get_absolute_url()}" alt="问题照片 1"' in body
