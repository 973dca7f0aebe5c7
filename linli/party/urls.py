from django.urls import path

from . import views

app_name = "party"
urlpatterns = [
    path("", views.OrgTreeView.as_view(), name="index"),
    path("members/", views.MemberListView.as_view(), name="members"),
    path("members/new/", views.MemberCreateView.as_view(), name="member_create"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member"),
    path("members/<int:pk>/claim/", views.ClaimPostView.as_view(), name="claim_post"),
    path("check-ins/", views.CheckInListView.as_view(), name="check_ins"),
    path("check-ins/report/", views.ReportMemberView.as_view(), name="report_member"),
    path("check-ins/report-organisation/", views.ReportOrganisationView.as_view(), name="report_organisation"),
    path("check-ins/<int:pk>/", views.CheckInView.as_view(), name="check_in"),
    path("check-ins/<int:pk>/<str:move>/", views.CheckInView.as_view(), name="check_in_move"),
    path("commitments/", views.CommitmentListView.as_view(), name="commitments"),
    path("commitments/<int:pk>/", views.CommitmentView.as_view(), name="commitment"),
    path("commitments/<int:pk>/<str:move>/", views.CommitmentView.as_view(), name="commitment_move"),
    path("partners/", views.PartnerListView.as_view(), name="partners"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner"),
    path("agreements/", views.AgreementListView.as_view(), name="agreements"),
    path("agreements/new/", views.AgreementCreateView.as_view(), name="agreement_create"),
    path("agreements/<int:pk>/", views.AgreementView.as_view(), name="agreement"),
    path("agreements/<int:pk>/paper/", views.AgreementPaperView.as_view(), name="agreement_paper"),
    path("agreements/<int:pk>/<str:move>/", views.AgreementView.as_view(), name="agreement_move"),
]
