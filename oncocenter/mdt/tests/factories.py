import factory
from django.utils import timezone

from oncocenter.mdt.models import BoardType, Meeting


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    board_type = factory.LazyFunction(lambda: BoardType.objects.get(code="pediatric"))
    held_on = factory.LazyFunction(timezone.localdate)
    location = "Room 3"
