from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "oncocenter.followup"
    label = "followup"
