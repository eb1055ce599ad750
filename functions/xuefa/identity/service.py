"""Our own identity service, for where Cognito user pools do not exist (the AWS China
regions): sign-in, the first sign-in's new password, refresh, sign-out, password change.

It answers like Cognito does, so the web apps speak to either through one module: no
user enumeration (an unknown login is checked against a hash too, and fails with the same
words), a lockout with back-off after five failed guesses, short-lived tokens, and refresh
tokens used once each.

Guesses from elsewhere must not keep an owner out (OWASP's "Slow Down Online Guessing
Attacks with Device Cookies"): a right password earns a device token, and a sign-in that
presents a live one of that login is counted and locked on that device alone, never by the
login's lockout, which holds everyone else.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.core.errors import Conflict, Forbidden, Throttled, Unauthorized
from xuefa.identity.passwords import check_policy, hash_password, verify_password
from xuefa.identity.repository import (
    Account,
    Device,
    Guess,
    IdentityRepository,
    RefreshGrant,
    Rotation,
    holder_actor,
)
from xuefa.identity.tokens import Holder, TokenIssuer, TokenVerifier
from xuefa.identity.views import SignInAnswer

GUESSES = 5  # failed sign-ins before a lockout
LOCK_SECONDS = 60  # the first lockout; each next one doubles, up to
LOCK_MAX_SECONDS = 15 * 60
REFRESH_DAYS = 30  # then the learner signs in with the password again
REUSE_GRACE_SECONDS = 30  # two tabs refreshing at once are not a stolen token
DEVICE_DAYS = 90  # a device token lives a study term's worth; each sign-in renews it
WRONG = "wrong login or password"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def lock_seconds(lockouts_before: int) -> int:
    return min(LOCK_SECONDS * 2 ** min(lockouts_before, 10), LOCK_MAX_SECONDS)


def masked_login(typed: str) -> str:
    """What the audit keeps of a login that does not exist: people type passwords there,
    so only its first character and its length."""
    return typed[:1] + "*" * (len(typed) - 1)


def expired(message: str = "the session has expired; sign in again") -> Unauthorized:
    return Unauthorized(message, details={"reason": "session_expired"})


class IdentityService:
    def __init__(
        self,
        accounts: IdentityRepository,
        issuer: TokenIssuer,
        verifier: TokenVerifier,
        clock: Clock,
    ):
        self.accounts = accounts
        self.issuer = issuer
        self.verifier = verifier
        self.clock = clock

    # signing in -----------------------------------------------------------------------

    def sign_in(
        self, username: str, password: str, device_token: str | None = None
    ) -> SignInAnswer:
        """Tokens (or the first password's challenge) and a new device token; the one sent,
        if it was live for this login, is used up."""
        now = self.clock.now()
        device = token_hash(device_token) if device_token else None
        account, guess = self._checked(username, password, now, device)
        fresh = secrets.token_urlsafe(32)
        earned = Device(token_hash(fresh), int(now.timestamp()) + DEVICE_DAYS * 86400)
        entry = AuditEntry("sign_in", username, now, after={"device": guess.device is not None})
        self.accounts.succeeded(account, entry, earned, guess.device)
        if account.must_change:
            answer = SignInAnswer(
                challenge="NEW_PASSWORD_REQUIRED",
                session=self.issuer.challenge(_holder(account), account.version, now),
                username=username,
            )
        else:
            answer = self._tokens(account, now)
        return answer.model_copy(update={"device_token": fresh})

    def _checked(
        self, username: str, password: str, now: datetime, device: str | None = None
    ) -> tuple[Account, Guess]:
        """The account, once its password is right: counted first (so parallel guesses
        count), checked in constant work whether or not the login exists."""
        guess = self._counted(username, int(now.timestamp()), device)
        account = self.accounts.account(username)
        if not verify_password(account.password_hash if account else None, password):
            self._failed(username, account is not None, guess, now)
            raise Unauthorized(WRONG, details={"reason": "wrong_credentials"})
        assert account is not None  # verify_password is False without one
        if not account.enabled:
            raise Forbidden("this account is disabled", details={"reason": "disabled"})
        return account, guess

    def _counted(self, username: str, epoch: int, device: str | None) -> Guess:
        """The guess on the device's own counter when the token is a live one of this
        login; on the login's guard otherwise (no token, someone else's, expired)."""
        guess = self.accounts.device_guess(username, device, epoch, GUESSES) if device else None
        if guess is None:
            guess = self.accounts.guess(username, epoch, GUESSES)
        if not guess.allowed:
            wait = max(guess.locked_until - epoch, 1)
            raise Throttled(
                f"too many failed sign-ins; try again in {(wait + 59) // 60} minute(s)",
                details={"reason": "locked", "retry_after_seconds": wait},
            )
        return guess

    def _failed(self, username: str, known: bool, guess: Guess, now: datetime) -> None:
        target = username if known else masked_login(username)
        someone = Actor(username=target, groups=frozenset(), unit_id="")
        by_device = {"device": guess.device is not None}
        if guess.count < GUESSES:
            entry = AuditEntry("sign_in_failed", target, now, after=by_device)
            self.accounts.record(someone, entry)
            return
        seconds = lock_seconds(guess.lockouts)
        until = int(now.timestamp()) + seconds
        if guess.device:
            self.accounts.lock_device(username, guess.device, until)
        else:
            self.accounts.lock(username, until)
        entry = AuditEntry("sign_in_locked", target, now, after={"seconds": seconds, **by_device})
        self.accounts.record(someone, entry)

    def complete_new_password(self, username: str, session: str, new_password: str) -> SignInAnswer:
        try:
            claims = self.verifier.claims(session, "challenge")
        except Unauthorized as exc:
            raise expired() from exc
        if claims.get("sub") != username:
            raise expired()
        check_policy(new_password)
        now = self.clock.now()
        try:
            self.accounts.set_password(
                username, hash_password(new_password), must_change=False, version=claims["ver"]
            )
        except Conflict as exc:  # the account moved on: another password, a reset
            raise expired() from exc
        account = self._enabled(username)
        self.accounts.record(holder_actor(account), AuditEntry("password_set", username, now))
        return self._tokens(account, now)

    def change_password(self, access_token: str, old: str, new: str) -> SignInAnswer:
        """A signed-in learner's new password: every other device is signed out."""
        username = str(self.verifier.claims(access_token, "access")["sub"])
        now = self.clock.now()
        self._checked(username, old, now)  # the login's guard: no device token here
        check_policy(new)
        self.accounts.set_password(username, hash_password(new), must_change=False, version=None)
        account = self._enabled(username)
        self.accounts.record(holder_actor(account), AuditEntry("password_changed", username, now))
        return self._tokens(account, now)

    # refresh tokens -------------------------------------------------------------------

    def refresh(self, refresh_token: str) -> SignInAnswer:
        now = self.clock.now()
        epoch = int(now.timestamp())
        old = token_hash(refresh_token)
        grant = self.accounts.grant(old)
        if grant is None or grant.expires_at <= epoch:
            raise expired()
        if grant.used_at is not None:
            if epoch - grant.used_at > REUSE_GRACE_SECONDS:
                self._reused(grant, now)
            raise expired()
        account = self.accounts.account(grant.username)
        if account is None or not account.enabled or account.version != grant.version:
            raise expired()
        fresh = secrets.token_urlsafe(32)
        if self.accounts.rotate(old, token_hash(fresh), grant, epoch) is not Rotation.ROTATED:
            raise expired()
        return self._answer(account, now, fresh)

    def _reused(self, grant: RefreshGrant, now: datetime) -> None:
        """A refresh token used twice was copied: sign out every device of its holder."""
        self.accounts.revoke_all(grant.username)
        someone = Actor(username=grant.username, groups=frozenset(), unit_id="")
        self.accounts.record(someone, AuditEntry("refresh_token_reused", grant.username, now))

    def sign_out(self, refresh_token: str) -> None:
        self.accounts.revoke(token_hash(refresh_token), int(self.clock.now().timestamp()))

    # ---------------------------------------------------------------------------------

    def _enabled(self, username: str) -> Account:
        account = self.accounts.account(username)
        if account is None or not account.enabled:
            raise expired()
        return account

    def _tokens(self, account: Account, now: datetime) -> SignInAnswer:
        refresh = secrets.token_urlsafe(32)
        grant = RefreshGrant(
            username=account.username,
            version=account.version,
            expires_at=int(now.timestamp()) + REFRESH_DAYS * 86400,
            used_at=None,
        )
        self.accounts.issue(token_hash(refresh), grant)
        return self._answer(account, now, refresh)

    def _answer(self, account: Account, now: datetime, refresh_token: str) -> SignInAnswer:
        issued = self.issuer.tokens(_holder(account), now)
        return SignInAnswer(
            id_token=issued.id_token,
            access_token=issued.access_token,
            refresh_token=refresh_token,
            expires_in=issued.expires_in,
        )


def _holder(account: Account) -> Holder:
    return Holder(username=account.username, groups=account.groups, unit_id=account.unit_id)
