"""The fund screens: the funds in scope, a fund (balance, floor, uses), its sub-accounts and the
需续交 list, a sub-account with its ledger, the uses and their lifecycle. Every list and page
fetches through restrict() (403 without the permission, 404 out of scope) and writes through
actions.py or the lifecycle (workflow.py). A resident sees their own house's sub-account and their
compound's fund and uses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from linli.core.scope import has_perm
from linli.core.views import ActionFormView, MatterView, ScopedMixin, apply_form_errors, paginate

from . import actions, forms, importer
from .models import Account, Entry, Fund, Use
from .money import yuan
from .status import floor_status
from .workflow import USE


class FundListView(ScopedMixin, ListView):
    """维修资金: each fund in scope with its balance, its floor and its houses to top up."""

    model = Fund
    template_name = "funds/fund_list.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("compound", "community")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = list(ctx["page_obj"])
        # one grouped count for the page, restricted like the sub-accounts themselves
        topup = dict(
            Account.objects.restrict(self.request.user)
            .filter(fund__in=page, needs_topup=True)
            .values_list("fund")
            .annotate(n=Count("id"))
        )
        ctx["rows"] = [(f, floor_status(f), topup.get(f.pk, 0)) for f in page]
        ctx["can_change"] = has_perm(self.request.user, "funds.change")
        return ctx


class FundDetailView(ScopedMixin, View):
    """A compound's fund: balance, first deposits, the floor and what uses may still take, the
    uses; staff see the count of houses to top up."""

    model = Fund

    def get(self, request, pk):
        fund = get_object_or_404(self.get_queryset().select_related("compound", "community"), pk=pk)
        accounts = Account.objects.restrict(request.user).filter(fund=fund)
        ctx = {
            "fund": fund,
            "status": floor_status(fund),
            "uses": Use.objects.restrict(request.user).filter(fund=fund).select_related("vote")[:20],
            "accounts_seen": accounts.count(),
            "topup": accounts.filter(needs_topup=True).count(),
            "can_change": fund.allows(request.user, "change"),
        }
        return render(request, "funds/fund_detail.html", ctx)


class OpenFundView(ActionFormView):
    model = Fund
    action = "change"
    form_class = forms.OpenFundForm

    @property
    def title(self):
        return _("Open a compound's maintenance fund")

    def act(self, data):
        return actions.open_fund(actor=self.request.user, **data)


class ImportView(ScopedMixin, View):
    """The fund bank's file (首次交存 and 期初余额 per house): checked in full, then posted all or
    nothing (importer.py); a refused file comes back with its errors row by row, an imported one
    lands on its fund with what was posted. Staff who keep the funds only (funds.change: 403)."""

    model = Fund
    action = "change"

    def get(self, request, form=None, outcome=None, status=200):
        ctx = {"form": form or forms.ImportForm(), "outcome": outcome, "columns": importer.HEADERS}
        return render(request, "funds/import.html", ctx, status=status)

    def post(self, request):
        form = forms.ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        upload = form.cleaned_data["file"]
        outcome = importer.run(request.user, upload.name, upload.read())
        if not outcome.funds:
            return self.get(request, form=form, outcome=outcome, status=400)
        for done in outcome.funds:
            messages.success(
                request,
                _(
                    "Imported into the fund of %(compound)s: %(houses)s houses, first deposits ¥%(first)s, balances "
                    "¥%(balance)s. The fund's balance is now ¥%(total)s."
                )
                % {
                    "compound": done.fund.compound.name,
                    "houses": done.houses,
                    "first": yuan(done.first),
                    "balance": yuan(done.balance),
                    "total": yuan(done.fund.balance),
                },
            )
        if len(outcome.funds) == 1:
            return redirect(outcome.funds[0].fund.get_absolute_url())
        return redirect("funds:index")


class AccountListView(ScopedMixin, ListView):
    """分户账 of one fund; `?topup=1`: the houses that must top up (需续交, R2.1)."""

    model = Account
    template_name = "funds/account_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.fund = get_object_or_404(
            Fund.objects.restrict(self.request.user).select_related("compound"), pk=self.kwargs["pk"]
        )
        qs = super().get_queryset().filter(fund=self.fund).select_related("house__unit__building")
        if self.request.GET.get("topup") == "1":
            qs = qs.filter(needs_topup=True)
        return qs.order_by("house_id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"fund": self.fund, "topup": self.request.GET.get("topup") == "1"}


class AccountDetailView(ScopedMixin, View):
    """One house's sub-account: first deposit, balance, 需续交, and its ledger (paginated); staff
    book a deposit, interest or a top-up and reverse an entry."""

    model = Account

    def get(self, request, pk, form=None, status=200):
        account = get_object_or_404(
            self.get_queryset().select_related("fund__compound", "house__unit__building"), pk=pk
        )
        entries = Entry.objects.filter(account=account).select_related("use", "reverses").order_by("-id")
        can_change = account.fund.allows(request.user, "change")
        ctx = {
            "account": account,
            "page_obj": paginate(request, entries),
            "can_change": can_change,
            "form": (form or forms.EntryForm()) if can_change else None,
            "reverse_form": forms.ReverseForm() if can_change else None,
        }
        return render(request, "funds/account_detail.html", ctx, status=status)


class BookEntryView(AccountDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        account = get_object_or_404(self.get_queryset(), pk=pk)
        form = forms.EntryForm(request.POST)
        if form.is_valid():
            try:
                actions.book_entry(actor=request.user, account=account, **form.cleaned_data)
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("The entry is booked."))
                return redirect(account.get_absolute_url())
        return self.get(request, pk, form=form, status=400)


class ReverseEntryView(ScopedMixin, View):
    model = Entry
    http_method_names = ["post"]

    def post(self, request, pk):
        entry = get_object_or_404(Entry.objects.restrict(request.user).select_related("account"), pk=pk)
        form = forms.ReverseForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Give the value date and the reason."))
            actions.reverse_entry(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The entry is reversed."))
        return redirect(entry.account.get_absolute_url())


class UseListView(ScopedMixin, ListView):
    model = Use
    template_name = "funds/use_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().select_related("compound", "vote")
        state = self.request.GET.get("state", "")
        if state in Use.State.values:
            qs = qs.filter(state=state)
        if self.request.GET.get("emergency") == "1":
            qs = qs.exclude(emergency="")
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "states": Use.State.choices,
            "can_change": has_perm(self.request.user, "funds.change"),
        }


class UseCreateView(ActionFormView):
    model = Use
    action = "change"
    form_class = forms.UseForm

    @property
    def title(self):
        return _("Propose a use of the maintenance fund")

    def get_initial(self):
        return {"fund": self.request.GET.get("fund")}

    def act(self, data):
        buildings = list(data.pop("buildings") or [])
        return actions.propose_use(actor=self.request.user, buildings=buildings, **data)


class UseView(MatterView):
    model = Use
    lifecycle = USE
    template_name = "funds/use_detail.html"
    select = ("fund__compound", "vote", "unit__building", "requested_by", "approved_by")

    def more_context(self, obj):
        return {
            "buildings": obj.buildings.all(),
            "status": floor_status(obj.fund),
            "vote_seen": obj.vote_id and obj.vote.allows(self.request.user),
        }
