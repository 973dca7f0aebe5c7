import pytest
from django.urls import reverse

from linli.deliberation.models import Consent, ConsentCampaign


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("threshold", "yes", "reached"), [(75, 3, True), (80, 3, False), (50, 2, True), (51, 2, False)]
)
def test_consent_threshold_is_inclusive_and_exact(world, threshold, yes, reached):
    # compound 1 has four houses (a1, a2, b1, b2): 3/4 = 75 %
    c = ConsentCampaign.objects.create(
        title="老旧小区改造", compound=world.cp1, community=world.c1, subdistrict=world.sub, threshold_percent=threshold
    )
    for house in (world.house_a1, world.house_a2, world.house_b1)[:yes]:
        Consent.objects.create(campaign=c, house=house, consent=True)
    Consent.objects.create(campaign=c, house=world.house_b2, consent=False)
    assert c.progress() == (yes, 4, reached)


@pytest.mark.django_db
def test_staff_record_consents_and_it_is_scoped(world, login):
    c = ConsentCampaign.objects.create(
        title="加装电梯意见征求", compound=world.cp1, community=world.c1, subdistrict=world.sub
    )
    client = login(world.users.community)
    client.post(reverse("deliberation:consent", args=[c.pk]), {"house": world.house_a1.pk, "consent": "yes"})
    client.post(
        reverse("deliberation:consent", args=[c.pk]), {"house": world.house_a1.pk, "consent": "no"}
    )  # changed mind
    assert c.progress() == (0, 4, False) and c.consents.count() == 1
    assert (
        client.post(
            reverse("deliberation:consent", args=[c.pk]), {"house": world.house_c1.pk, "consent": "yes"}
        ).status_code
        == 404
    )
    assert login(world.users.other_community).get(reverse("deliberation:consent", args=[c.pk])).status_code == 404
    page = login(world.users.grid_a).get(reverse("deliberation:consent", args=[c.pk])).content.decode()
    assert "0 / 4" in page or "4 户中" in page


@pytest.mark.django_db
def test_create_campaign_form(world, login):
    c = login(world.users.community)
    r = c.post(
        reverse("deliberation:consent_create"),
        {"title": "改造意见征求", "compound": world.cp1.pk, "threshold_percent": 80, "buildings": [world.bld_c.pk]},
    )
    assert r.status_code == 200  # building of another compound (and outside scope)
    r = c.post(
        reverse("deliberation:consent_create"),
        {"title": "改造意见征求", "compound": world.cp1.pk, "threshold_percent": 80, "buildings": [world.bld_a.pk]},
    )
    campaign = ConsentCampaign.objects.get()
    assert r.status_code == 302 and campaign.progress() == (0, 2, False)  # building A only: two houses
    assert "改造意见征求" in c.get(reverse("deliberation:votes")).content.decode()


@pytest.mark.django_db
def test_a_house_with_two_households_is_counted_once(world):
    from linli.core.actions import create_object
    from linli.people.models import Household

    create_object(Household, actor=None, house=world.house_a1)  # a tenant household beside the owner's
    c = ConsentCampaign.objects.create(
        title="改造", compound=world.cp1, community=world.c1, subdistrict=world.sub, threshold_percent=75
    )
    for house in (world.house_a1, world.house_a2, world.house_b1):
        Consent.objects.create(campaign=c, house=house, consent=True)
    assert c.progress() == (3, 4, True)  # four houses, not five households
