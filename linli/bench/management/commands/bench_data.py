from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from linli.bench import cobuilding
from linli.bench.district import District, sizes


class Command(BaseCommand):
    help = "Generate the synthetic district of the benchmarks (scale 1.0: 300,000 households, 1,000,000 requests)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full district (default 1.0)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-absent", action="store_true", help="do nothing when the district exists already")

    def handle(self, *args, scale, seed, if_absent, **options):
        from linli.bench.district import CODE_PREFIX
        from linli.places.models import Subdistrict

        if if_absent and Subdistrict.objects.filter(code__startswith=CODE_PREFIX).exists():
            self.stdout.write(_("The benchmark district exists already."))
            if not cobuilding.present():  # generated before the co-building rows existed: add them
                counts = cobuilding.add(seed=seed, out=self.stdout.write)
                self.stdout.write(
                    _("%(label)s done in %(seconds)s s")
                    % {"label": cobuilding.label(), "seconds": counts.pop("seconds")}
                    + f": {counts}"
                )
            return
        if not 0 < scale <= 4:
            raise CommandError(_("The scale must be more than 0 and at most 4."))
        n = sizes(scale)
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
            counts = District(scale, seed=seed, out=self.stdout.write).build()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Done in %(seconds)s s: %(counts)s") % {"seconds": counts.pop("seconds"), "counts": counts}
            )
        )
