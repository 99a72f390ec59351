"""The target profile: which MsgFlash to check and with which identities (a TOML file).

Written by `msgflash-compliance serve --write-profile` for the embedded reference server, hand-written for a
real target. Validated once, into frozen objects; every bad field is named in one line, and no secret is ever
part of an error message or a repr (they are `SecretStr`). Any string may be `${ENV_VAR}` (or contain it), so
a profile can be committed while its keys live in the CI's secret store.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from msgflash_compliance.errors import UsageError

IdentityName = Literal["owner", "admin", "collaborator", "outsider"]
IDENTITY_NAMES: tuple[IdentityName, ...] = ("owner", "admin", "collaborator", "outsider")

PERSONAL_KEY_PATTERN = re.compile(r"^msgf_live_[0-9a-fA-F]{64}$")
TEAM_KEY_PATTERN = re.compile(r"^msgf_team_[0-9a-fA-F]{64}$")
JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
UUID_SHAPE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DATA_PREFIX_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,15}$")
RATE_SPELLING = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|m|min|minute)\s*$")


class ProfileError(UsageError):
    """A profile that cannot be used; the message is one line naming every bad field."""


def _team_id(value: str) -> str:
    if not UUID_SHAPE.match(value):
        raise ValueError("does not look like a team id (a UUID)")
    return value


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class Identity(_Section):
    """One account: an API key for the public API, and a JWT or email + password for the console."""

    api_key: SecretStr
    email: str | None = None
    password: SecretStr | None = None
    jwt: SecretStr | None = None

    @field_validator("api_key")
    @classmethod
    def _personal_key_shape(cls, value: SecretStr) -> SecretStr:
        if not PERSONAL_KEY_PATTERN.match(value.get_secret_value()):
            raise ValueError("does not look like an API key (msgf_live_ + 64 hex)")
        return value

    @field_validator("jwt")
    @classmethod
    def _jwt_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not JWT_SHAPE.match(value.get_secret_value()):
            raise ValueError("does not look like a JWT (three dot-separated base64url parts)")
        return value

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError("does not look like an e-mail address")
        return value

    @model_validator(mode="after")
    def _login_pair(self) -> Identity:
        if (self.email is None) != (self.password is None):
            raise ValueError("give both email and password (or neither, and a jwt)")
        return self

    @property
    def has_console(self) -> bool:
        return self.jwt is not None or self.password is not None


class Identities(_Section):
    owner: Identity | None = None
    admin: Identity | None = None
    collaborator: Identity | None = None
    outsider: Identity | None = None


class Team(_Section):
    """The team the owner owns (admin and collaborator are its members), with a team API key."""

    id: str
    api_key: SecretStr | None = None
    # Who made the team key: a team key acts with its maker's role in the team, so a key pool's extra team keys
    # are made by the same identity (and the team gets no pool without it).
    api_key_made_by: Literal["owner", "admin", "collaborator"] | None = None

    _id_shape = field_validator("id")(lambda value: _team_id(value))

    @field_validator("api_key")
    @classmethod
    def _team_key_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TEAM_KEY_PATTERN.match(value.get_secret_value()):
            raise ValueError("does not look like a team API key (msgf_team_ + 64 hex)")
        return value


class OtherTeam(_Section):
    """A team none of the identities belongs to (for foreign-team checks)."""

    id: str

    _id_shape = field_validator("id")(lambda value: _team_id(value))


class Safety(_Section):
    """What the suite may do to the target."""

    request_budget: int = Field(default=5000, ge=1)
    rate_limit: float = Field(default=10.0, gt=0, description="requests per second per API key")
    # The docs limit API keys only; console sessions and the rest are paced at the key rate unless told.
    console_rate_limit: float | None = Field(
        default=None, gt=0, description="requests per second per console session, sign-up, anonymous caller or "
                                        "sandbox control credential (default: rate_limit)")
    read_only: bool = False
    allow_send: bool = False
    data_prefix: str = "mfc-"
    billing_probes: bool | None = None  # None: on for the embedded server (sandbox), off for real targets
    rate_limit_checks: bool | None = None  # bursts that provoke 429s on purpose; None: sandbox only
    request_timeout: float = Field(default=30.0, gt=0, description="seconds one request may take")
    max_run_seconds: float | None = Field(default=None, gt=0, description="the run's wall-clock limit")
    # Extra API keys the run may create (per workspace: the owner's and the team's) to spread its reads over,
    # within the plan's key cap; revoked at the end. 0: every request goes out with the profile's key.
    key_pool: int = Field(default=0, ge=0, le=20, description="extra API keys per workspace for read traffic")

    @field_validator("data_prefix")
    @classmethod
    def _prefix_shape(cls, value: str) -> str:
        if not DATA_PREFIX_PATTERN.match(value):
            raise ValueError("must be 2 to 16 characters: a lowercase letter, then lowercase letters, digits or '-'")
        return value

    @property
    def console_rate(self) -> float:
        return self.console_rate_limit or self.rate_limit

    @field_validator("rate_limit", "console_rate_limit", mode="before")
    @classmethod
    def _rate_spelling(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = RATE_SPELLING.match(value)
            if not match:
                raise ValueError('a number of requests per second, or "N/s" or "N/m"')
            number = float(match.group(1))
            return number if match.group(2).startswith("s") else number / 60
        return value


# Calls that carry no key: the harness's anonymous client, the conformance probe that drops the credentials (a
# server limits keys after authenticating them, so an unkeyed call meets no key's limit), the sandbox controls.
UNKEYED_LABELS = frozenset({"anonymous", "probe.no_credentials", "sandbox"})


def paced_as_console(label: str) -> bool:
    """Whether a credential label is one the API docs give no rate limit (paced at `console_rate_limit`): a
    console session or sign-up, a call without credentials, the sandbox's control routes. Every other label is
    an API key (the profile's, a pool key, a probe's), paced at the documented per-key `rate_limit`."""
    return (label in UNKEYED_LABELS or label.startswith("console.") or label.endswith((".console", ".signup")))


class Sandbox(_Section):
    enabled: bool = False  # the /__sandbox/ control routes exist (the embedded reference server)
    created_at: datetime | None = None  # its database was made then (the embedded server: at the run's start)


class TargetProfile(_Section):
    base_url: str
    identities: Identities = Identities()
    team: Team | None = None
    other_team: OtherTeam | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    safety: Safety = Safety()
    sandbox: Sandbox = Sandbox()

    @field_validator("base_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    def identity(self, name: str) -> Identity | None:
        return getattr(self.identities, name, None)

    @property
    def billing_probes(self) -> bool:
        configured = self.safety.billing_probes
        return self.sandbox.enabled if configured is None else configured

    @property
    def rate_limit_checks(self) -> bool:
        configured = self.safety.rate_limit_checks
        return self.sandbox.enabled if configured is None else configured

    def secrets(self) -> list[tuple[str, str]]:
        """Every secret in the profile as `(label, value)`, labels like `owner.api_key` (for redaction)."""
        found: list[tuple[str, str]] = []
        for name in IDENTITY_NAMES:
            identity = self.identity(name)
            if identity is None:
                continue
            for attr in ("api_key", "password", "jwt"):
                secret: SecretStr | None = getattr(identity, attr)
                if secret is not None:
                    found.append((f"{name}.{attr}", secret.get_secret_value()))
        if self.team is not None and self.team.api_key is not None:
            found.append(("team.api_key", self.team.api_key.get_secret_value()))
        return found


def with_key_pool(profile: TargetProfile, key_pool: int) -> TargetProfile:
    """The profile with `[safety] key_pool` replaced (`run --key-pool N`, a lane's share of the pool)."""
    safety = profile.safety.model_copy(update={"key_pool": key_pool})
    return profile.model_copy(update={"safety": safety})


def load_profile(path: str | Path, environ: dict[str, str] | None = None) -> TargetProfile:
    """Read, expand `${VAR}`s and validate a profile. Raises `ProfileError` (exit 2) naming each bad field."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"profile {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ProfileError(f"profile {path}: cannot read it ({err.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"profile {path}: not valid TOML: {err}") from None
    return parse_profile(raw, source=str(path), environ=environ)


def parse_profile(
    raw: dict[str, Any], source: str = "profile", environ: dict[str, str] | None = None
) -> TargetProfile:
    unset: dict[str, str] = {}  # field path -> the variable it names that is not set
    expanded = _expand(raw, os.environ if environ is None else environ, (), unset)
    problems = [f"{where}: environment variable {name} is not set" for where, name in unset.items()]
    try:
        profile = TargetProfile.model_validate(expanded)
    except ValidationError as err:
        # A field whose variable is unset is already reported; its empty stand-in would only add noise.
        problems += [_describe(e) for e in err.errors() if ".".join(map(str, e["loc"])) not in unset]
    if problems:
        raise ProfileError(f"profile {source}: " + "; ".join(problems))
    return profile


def _expand(value: Any, environ: Any, where: tuple[str, ...], unset: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _expand(item, environ, (*where, str(key)), unset) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, environ, (*where, str(i)), unset) for i, item in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            unset.setdefault(".".join(where), name)
            return ""
        return str(environ[name])

    return ENV_REFERENCE.sub(substitute, value)


_VALID_FIELDS: dict[tuple[str, ...], type[BaseModel]] = {
    (): TargetProfile,
    ("identities",): Identities,
    ("team",): Team,
    ("other_team",): OtherTeam,
    ("safety",): Safety,
    ("sandbox",): Sandbox,
    **{("identities", name): Identity for name in IDENTITY_NAMES},
}


def _describe(error: Any) -> str:
    """One pydantic error as `field.path: what is wrong` (never the input value: it may be a secret)."""
    loc = tuple(str(part) for part in error["loc"])
    where = ".".join(loc) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _VALID_FIELDS.get(loc[:-1])
        valid = ", ".join(model.model_fields) if model else ""
        return f"{where}: unknown field" + (f" (valid: {valid})" if valid else "")
    if kind == "missing":
        return f"{where}: missing"
    if kind == "value_error":  # the validators above: already in the project's words
        return f"{where}: {str(error['msg']).removeprefix('Value error, ')}"
    ctx = {key: int(v) if isinstance(v, float) and v.is_integer() else v for key, v in (error.get("ctx") or {}).items()}
    wording = _WORDING.get(kind)
    return f"{where}: {wording.format(**ctx) if wording else 'not a valid value'}"


# pydantic's error types in the profile's own words (its messages say "Input should be ...").
_WORDING: dict[str, str] = {
    "string_type": "must be text (a quoted string)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a table (a [section] or {{ key = value }})",
    "model_type": "must be a table (a [section] or {{ key = value }})",
    "model_attributes_type": "must be a table (a [section] or {{ key = value }})",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "literal_error": "must be {expected}",
}
