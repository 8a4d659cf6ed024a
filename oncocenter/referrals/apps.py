from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "oncocenter.referrals"
    label = "referrals"
