from django.urls import path

from linli.core.exports import FORMATS

from . import papers, views
from .workflow import MEETING, OWNER_VOTE, TOPIC

app_name = "deliberation"
urlpatterns = [
    path("votes/", views.VoteListView.as_view(), name="votes"),
    *(path(f"votes/export.{fmt}", views.VoteExportView.as_view(fmt=fmt), name=f"votes_{fmt}") for fmt in FORMATS),
    path("votes/new/", views.VoteCreateView.as_view(), name="vote_create"),
    path("votes/<int:pk>/", views.VoteDetailView.as_view(), name="vote"),
    *(
        path(f"votes/<int:pk>/{m.name}/", views.VoteMoveView.as_view(move=m.name), name=f"vote_{m.name}")
        for m in OWNER_VOTE
    ),
    path("votes/<int:pk>/notice/", papers.VoteNoticeView.as_view(), name="vote_notice"),
    path("votes/<int:pk>/ballots/", papers.BallotPapersView.as_view(), name="vote_ballots"),
    path("votes/<int:pk>/result/", papers.VoteResultView.as_view(), name="vote_result"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    *(path(f"topics/export.{fmt}", views.TopicExportView.as_view(fmt=fmt), name=f"topics_{fmt}") for fmt in FORMATS),
    path("topics/new/", views.TopicCreateView.as_view(), name="topic_create"),
    path("topics/<int:pk>/", views.TopicDetailView.as_view(), name="topic"),
    # one URL per move of the topic's lifecycle: POST topics/<id>/accept/, …/step/, …/publish/
    *(
        path(f"topics/<int:pk>/{m.name}/", views.TopicMoveView.as_view(move=m.name), name=f"topic_{m.name}")
        for m in TOPIC
    ),
    path("consent/new/", views.ConsentCreateView.as_view(), name="consent_create"),
    path("consent/mine/", views.OwnConsentView.as_view(), name="consent_own"),
    path("consent/<int:pk>/", views.ConsentView.as_view(), name="consent"),
    path("procedures/", views.ProcedureSettingsView.as_view(), name="procedures"),
    path("procedures/<int:pk>/steps/", views.ProcedureStepView.as_view(), name="procedure_step"),
    path("meetings/", views.MeetingListView.as_view(), name="meetings"),
    *(
        path(f"meetings/export.{fmt}", views.MeetingExportView.as_view(fmt=fmt), name=f"meetings_{fmt}")
        for fmt in FORMATS
    ),
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<int:pk>/minutes/", views.MinutesView.as_view(), name="minutes"),
    path("meetings/<int:pk>/invitations/", views.InvitationCardsView.as_view(), name="invitation_cards"),
    # one URL per move of the meeting's lifecycle: POST meetings/<id>/notice/, …/invite/, …/close/
    *(
        path(f"meetings/<int:pk>/{m.name}/", views.MeetingMoveView.as_view(move=m.name), name=f"meeting_{m.name}")
        for m in MEETING
    ),
]
