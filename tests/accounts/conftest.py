import pytest

from accounts.models import Profile

PASSWORD = "Transformer-2017"


@pytest.fixture
def reader(django_user_model):
    """A reader's account with a display name."""
    user = django_user_model.objects.create_user("reader", "reader@example.com", PASSWORD)
    Profile.objects.create(user=user, display_name="小读者")
    return user
