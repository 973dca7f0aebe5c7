from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from linli.bench import cobuilding, funds
from linli.bench.district import District, sizes


class Command(BaseCommand):
    help = "Generate the synthetic district of the benchmarks (scale 1.0: 300,000 households, 1,000,000 requests)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full district (default 1.0)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-absent", action="store_true", help="do nothing when the district exists already")
        parser.add_argument(
            "--funds-only",
            action="store_true",
            help="only the places, the staff logins and the maintenance funds (what `bench --only funds` reads)",
        )

        parser.add_argument(
            "--fund-interest",
            choices=("yearly", "monthly"),
            default="yearly",
            help="the funds' interest: on 30 June, as fund banks credit it, or each month's end (12 times the entries)",
        )

    def handle(self, *args, scale, seed, if_absent, funds_only=False, fund_interest="yearly", **options):
        from linli.bench.district import CODE_PREFIX
        from linli.places.models import Subdistrict

        if if_absent and Subdistrict.objects.filter(code__startswith=CODE_PREFIX).exists():
            self.stdout.write(_("The benchmark district exists already."))
            # generated before the co-building rows or the funds existed: add them
            for part in (funds,) if funds_only else (cobuilding, funds):
                if not part.present():
                    extra = {"interest": fund_interest} if part is funds else {}
                    counts = part.add(seed=seed, out=self.stdout.write, **extra)
                    self.stdout.write(
                        _("%(label)s done in %(seconds)s s") % {"label": part.label(), "seconds": counts.pop("seconds")}
                        + f": {counts}"
                    )
            return
        if not 0 < scale <= 4:
            raise CommandError(_("The scale must be more than 0 and at most 4."))
        n = sizes(scale)
        if funds_only:
            self.stdout.write(
                _(
                    "Generating the places, the staff logins and the maintenance funds of a district at scale "
                    "%(scale)s: %(subs)s sub-districts, %(communities)s communities."
                )
                % {"scale": scale, "subs": n["subdistricts"], "communities": n["communities"]}
            )
        else:
            self.stdout.write(
                _(
                    "Generating a district at scale %(scale)s: %(subs)s sub-districts, %(communities)s communities, "
                    "%(grids)s grids, "
                    "%(households)s households, %(cases)s requests."
                )
                % {
                    "scale": scale,
                    "subs": n["subdistricts"],
                    "communities": n["communities"],
                    "grids": n["grids"],
                    "households": f"{n['households']:,}",
                    "cases": f"{n['cases']:,}",
                }
            )
        try:
            counts = District(scale, seed=seed, out=self.stdout.write, fund_interest=fund_interest).build(
                funds_only=funds_only
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Done in %(seconds)s s: %(counts)s") % {"seconds": counts.pop("seconds"), "counts": counts}
            )
        )
