from django.urls import path

from oncocenter.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("activate/", views.activate, name="activate"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("language/<str:lang>/", views.set_language, name="language"),
    path("settings/", views.preferences, name="preferences"),
    path("p/<int:pid>/", views.patient, name="patient"),
    path("p/<int:pid>/symptoms/", views.symptoms, name="symptoms"),
    path("p/<int:pid>/eating/", views.qol, name="qol"),
    path("p/<int:pid>/thanks/", views.thanks, name="thanks"),
    path("p/<int:pid>/change/", views.change_request, name="change_request"),
    path("p/<int:pid>/results/", views.results, name="results"),
    path("p/<int:pid>/documents/<str:kind>.<str:fmt>", views.document, name="document"),
    path("p/<int:pid>/discharge/<int:rid>.<str:fmt>", views.discharge, name="discharge"),
    path("p/<int:pid>/sharing/", views.sharing, name="sharing"),
    path("passkeys/register/options/", views.passkey_register_options, name="passkey_reg_options"),
    path("passkeys/register/", views.passkey_register, name="passkey_register"),
    path("passkeys/sign-in/options/", views.passkey_signin_options, name="passkey_signin_options"),
    path("passkeys/sign-in/", views.passkey_sign_in, name="passkey_sign_in"),
    path("staff/alerts/", views.staff_alerts, name="staff_alerts"),
    path("staff/alerts/<int:pk>/", views.staff_alert, name="staff_alert"),
    path(
        "staff/alerts/<int:pk>/acknowledge/", views.staff_alert_acknowledge, name="staff_alert_ack"
    ),
    path("staff/alerts/<int:pk>/close/", views.staff_alert_close, name="staff_alert_close"),
    path("staff/patients/<int:pid>/", views.staff_access, name="staff_access"),
    path("staff/patients/<int:pid>/code/", views.staff_issue_code, name="staff_issue_code"),
    path("staff/patients/<int:pid>/results/", views.staff_results, name="staff_results"),
    path("staff/patients/<int:pid>/discharge/", views.staff_discharge, name="staff_discharge"),
    path("staff/requests/", views.staff_requests, name="staff_requests"),
    path("staff/notifications/", views.staff_notifications, name="staff_notifications"),
    path("staff/requests/<int:pk>/", views.staff_request_handle, name="staff_request_handle"),
]
