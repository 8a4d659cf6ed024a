from django.urls import path, re_path

from oncocenter.interop.fhir import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("ConceptMap/<str:name>", views.concept_map, name="concept-map"),
    re_path(
        r"^Patient/(?P<rid>[A-Za-z0-9\-.]{1,64})/\$(?:mcode-)?everything$",
        views.patient_everything,
        name="everything",
    ),
    re_path(r"^(?P<resource_type>[A-Z][A-Za-z]+)/?$", views.search_type, name="search"),
    re_path(
        r"^(?P<resource_type>[A-Z][A-Za-z]+)/(?P<rid>[A-Za-z0-9\-.]{1,64})$",
        views.read,
        name="read",
    ),
    re_path(
        r"^(?P<resource_type>[A-Z][A-Za-z]+)/(?P<rid>[A-Za-z0-9\-.]{1,64})/_history/(?P<vid>[A-Za-z0-9\-.]{1,64})$",
        views.read,
        name="vread",
    ),
]
