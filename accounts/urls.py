"""/accounts/: the gate pages (outside the admin menu) and certificate sign-in."""

from django.urls import path

from accounts.views import gate

app_name = "accounts"
urlpatterns = [
    path("gate/otp/", gate.otp_verify, name="gate_otp"),
    path("gate/otp/setup/", gate.otp_setup, name="gate_otp_setup"),
    path("gate/password/", gate.password_change, name="gate_password"),
    path("gate/commitment/", gate.commitment_sign, name="gate_commitment"),
    path("gate/certificate/", gate.certificate_login, name="gate_certificate"),
]
