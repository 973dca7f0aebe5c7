import base64
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import TWO_FACTOR_ROLES, Role
from linli.accounts.two_factor import DEMO_TOTP_KEY
from linli.demo.builder import PASSWORD, DemoBuilder
from linli.people.models import Household, Person
from linli.places.models import Subdistrict


class Command(BaseCommand):
    help = "Build the demo sub-district (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any sub-district exists")
        parser.add_argument("--print-logins", action="store_true", help="only print the demo logins")

    def handle(self, households, seed, if_empty, print_logins, **options):
        translation.activate("zh-hans")
        if households < 1:
            raise CommandError("--households must be at least 1")
        builder = DemoBuilder(households=households, seed=seed, out=self.stdout.write)
        if print_logins:
            return self.print_logins(builder)
        if if_empty and Subdistrict.objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据。")
            if User.objects.filter(username="jiedao").exists():
                self.print_logins(builder)
            return
        started = time.monotonic()
        created = builder.build()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已生成：{Household.objects.count()} 户，{Person.objects.count()} 人，用时 "
                    f"{time.monotonic() - started:.1f} 秒。"
                )
            )
        else:
            self.stdout.write("演示街道已存在，未重复生成（账号已核对）。")
        self.print_logins(builder)

    def print_logins(self, builder):
        if not Subdistrict.objects.exists():
            raise CommandError("还没有演示数据：请先运行 `linli demo`。")
        self.stdout.write(f"\n演示账号（密码均为 {PASSWORD}）：")
        for login in builder.logins():
            place = login.place or "全部"
            mark = " *" if login.role in TWO_FACTOR_ROLES else ""
            self.stdout.write(f"  {Role(login.role).label:<10} {login.username:<14} {place}{mark}")
        # the 在职党员 of the wish wall (linli/demo/wishes.py), a resident of their own household
        member = RoleAssignment.objects.filter(user__username="zaizhi").select_related("household__house").first()
        if member is not None:
            self.stdout.write(f"  {'在职党员（居民）':<8} {'zaizhi':<14} {member.household.house}")
        key = base64.b32encode(DEMO_TOTP_KEY).decode()
        self.stdout.write(
            "\n* 可查看或导出个人信息的岗位和管理员须两步验证：登录后再输入 6 位动态验证码。\n"
            "  取得当前验证码：.venv/bin/linli otp <用户名>（仅开发环境）；\n"
            f"  或在手机验证器 App 中手动添加密钥 {key}（所有演示账号共用，切勿用于生产）。"
        )
        self.stdout.write("")
