from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.accounts import actions, two_factor
from linli.accounts.models import User


class Command(BaseCommand):
    help = (
        "Two-factor sign-in of one user. With DEBUG on: print the code their authenticator app "
        "shows now (the demo's staff accounts). --reset: remove their second factor (a lost "
        "phone); they set it up again at their next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="remove the user's authenticator app and backup codes")

    def handle(self, username, reset, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账号。")
        if reset:
            actions.reset_two_factor(user, actor=None)
            self.stdout.write(f"已重置 {username} 的两步验证：下次登录时重新设置。")
            return
        if not settings.DEBUG:
            raise CommandError("只在开发环境（DEBUG=1）中显示验证码；生产环境请使用手机上的验证器 App。")
        device = two_factor.confirmed_totp(user)
        if device is None:
            raise CommandError(f"{username} 还没有设置两步验证。")
        self.stdout.write(two_factor.current_code(device))
