from django.urls import path

from seqlab.insight import views

app_name = "insight"
urlpatterns = [
    path("c/<slug:slug>/insight/", views.index, name="index"),
    path("o/<int:pk>/insight/", views.map_page, name="map"),
    path("o/<int:pk>/insight/heat.png", views.heat_png, name="heat_png"),
    path("o/<int:pk>/insight/timeline.png", views.timeline_png, name="timeline_png"),
    path("o/<int:pk>/insight/mistakes.csv", views.map_csv, name="csv"),
    path("o/<int:pk>/insight/mistake/", views.mistake_page, name="mistake"),
    path("o/<int:pk>/insight/hints/", views.hint_release, name="hint_release"),
    path("hints/<int:pk>/withdraw/", views.hint_withdraw, name="hint_withdraw"),
    path("o/<int:pk>/similarity/", views.similarity_page, name="similarity"),
    path("o/<int:pk>/similarity/start/", views.similarity_start, name="similarity_start"),
    path("similarity/<int:pk>/progress/", views.similarity_progress, name="similarity_progress"),
    path("pairs/<int:pk>/", views.pair_page, name="pair"),
    path("pairs/<int:pk>/decide/", views.pair_decide, name="pair_decide"),
]
