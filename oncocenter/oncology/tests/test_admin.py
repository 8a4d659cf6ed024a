import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "oncology/diagnosis",
        "referrals/referral",
        "mdt/meeting",
        "trials/study",
        "patients/guardian",
        "oncology/copayregistration",
    ],
)
def test_admin_changelists(client_as, path):
    client = client_as("administrator")
    client.user.is_superuser = True
    client.user.save()
    assert client.get(f"/admin/{path}/").status_code == 200
