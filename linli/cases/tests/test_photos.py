import io

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
    r = c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "灯坏了", "place": "home", "photo": photo})
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
    r = c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "x", "photo": SimpleUploadedFile("a.jpg", b"%PDF-1.4 not an image")})
    assert r.status_code == 200 and "不是照片" in r.content.decode()
    from linli.cases import photos

    big = SimpleUploadedFile("big.jpg", b"0" * (photos.MAX_BYTES + 1))
    r = c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "x", "photo": big})
    assert "10 MB" in r.content.decode()
    assert not Case.objects.exists() and not CasePhoto.objects.exists()
