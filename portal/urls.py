"""URLs of the client portal: its pages and the account views of ``django.contrib.auth``.

The pages are in the ``portal`` namespace. The account views of ``django.contrib.auth`` keep their
usual un-namespaced names (``login``, ``password_reset_confirm`` …), which those views and their
e-mails reverse. Their templates have ``portal_`` names so they never replace the admin's own
``registration/password_*`` pages.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from .views import account, auth, detail, new_order, orders, top_up

# Not ``app_name``: that would namespace the account views too.
NAMESPACE = "portal"

portal_patterns = [
    path("", orders.home, name="home"),
    path("account/", account.account, name="account"),
    path("account/statement.csv", account.statement_csv, name="statement_csv"),
    path("account/top-up/", top_up.top_up, name="top_up"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", new_order.order_new, name="order_new"),
    path("orders/<str:code>/", detail.order_detail, name="order_detail"),
]

account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/portal_password_reset_form.html",
            email_template_name="registration/portal_password_reset_email.txt",
            subject_template_name="registration/portal_password_reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/portal_password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/portal_password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/portal_password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", include((portal_patterns, NAMESPACE))),
    *account_patterns,
]
