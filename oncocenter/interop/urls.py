from django.urls import path, re_path

from oncocenter.interop.fhir import views

app_name = "fhir"

urlpatterns = [
    path("", views.root, name="root"),
    path("metadata", views.metadata, name="metadata"),
    path("ValueSet", views.value_set, name="value-sets"),
    path("ValueSet/<str:name>", views.value_set, name="value-set"),
    path("ConceptMap/<str:name>", views.concept_map, name="concept-map"),
    re_path(r"^Group/(?P<center>[a-z]{1,20})/\$export$", views.group_export, name="group-export"),
    re_path(
        r"^\$export-status/(?P<ref>[0-9]+-[0-9a-f]{16})$", views.export_status, name="export-status"
    ),
    re_path(
        r"^\$export-file/(?P<ref>[0-9]+-[0-9a-f]{16})/(?P<resource_type>[A-Za-z]+)\.ndjson$",
        views.export_file,
        name="export-file",
    ),
    re_path(
        r"^Patient/(?P<rid>[A-Za-z0-9\-.]{1,64})/\$(?:mcode-)?everything$",
        views.patient_everything,
        name="everything",
    ),
    re_path(r"^_history/?$", views.history_all, name="history-system"),
    re_path(
        r"^(?P<resource_type>[A-Z][A-Za-z]+)/_history/?$", views.history_all, name="history-type"
    ),
    re_path(r"^(?P<resource_type>[A-Z][A-Za-z]+)/?$", views.search_type, name="search"),
    re_path(
        r"^(?P<resource_type>[A-Z][A-Za-z]+)/(?P<rid>[A-Za-z0-9\-.]{1,64})$",
        views.read,
        name="read",
    ),
    re_path(
        r"^(?P<resource_type>[A-Z][A-Za-z]+)/(?P<rid>[A-Za-z0-9\-.]{1,64})/_history/?$",
        views.history,
        name="history",
    ),
    re_path(
        r"^(?P<resource_type>[A-Z][A-Za-z]+)/(?P<rid>[A-Za-z0-9\-.]{1,64})/_history/(?P<vid>[A-Za-z0-9\-.]{1,64})$",
        views.read,
        name="vread",
    ),
]
