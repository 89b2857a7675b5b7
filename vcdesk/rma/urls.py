from django.urls import path

from vcdesk.rma import pdf, views

urlpatterns = [
    path("rma/", views.rma_list, name="rma_list"),
    path("rma/new/", views.rma_create, name="rma_create"),
    path("rma/<int:pk>/", views.rma_detail, name="rma_detail"),
    path("rma/<int:pk>/edit/", views.rma_edit, name="rma_edit"),
    path("rma/<int:pk>/events/", views.rma_event, name="rma_event"),
    path("rma/<int:pk>/advance/", views.rma_advance, name="rma_advance"),
    path("rma/<int:pk>/products/", views.rma_product_add, name="rma_product_add"),
    path("rma/<int:pk>/parts/", views.rma_part_add, name="rma_part_add"),
    path("rma/<int:pk>/parts/<int:part_pk>/", views.rma_part_update, name="rma_part_update"),
    path("rma/<int:pk>/form.pdf", pdf.rma_pdf, name="rma_pdf"),
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/new/", views.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/<slug:action>/", views.quote_decide, name="quote_decide"),
    path("orders/", views.order_list, name="order_list"),
]
