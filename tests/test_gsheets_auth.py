"""Signing in to Google: service-account keys, a person's OAuth sign-in (`sheetcrm auth
login`, saved readable only by its owner), Application Default Credentials (gcloud user,
service-account impersonation), and `sheetcrm auth check` saying in one line what is
wrong and what to do. Everything talks to the stand-in (tests/standin); nothing reaches
Google, and no browser opens (the installed-app flow is replaced by a function)."""
from __future__ import annotations

import json
import os
import re
import stat

import pytest
from click.testing import CliRunner

from sheetcrm import api
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.errors import AuthError, ConfigError
from sheetcrm.workbook.backends import gsheets_auth

try:
    from tests.standin import google_errors as bodies
except ModuleNotFoundError:  # pytest run without the project root on sys.path
    from standin import google_errors as bodies

SA_EMAIL = "sheetcrm@test.iam.gserviceaccount.com"
CLOUD_ONLY = ("https://www.googleapis.com/auth/cloud-platform",)
OAUTH_TOML = '[sheetcrm]\ncredentials_type = "oauth"\n'
ADC_TOML = '[sheetcrm]\ncredentials_type = "adc"\n'


# -- files as Google hands them out (synthetic) ------------------------------------------------------
def service_account_info(google) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return {"type": "service_account", "project_id": "test", "private_key_id": "abc123", "private_key": pem,
            "client_email": SA_EMAIL, "client_id": "1", "token_uri": google.url + "/token"}


def user_info(google, refresh_token="refresh-1") -> dict:
    """A saved sign-in as gcloud or google-auth writes it (authorized_user)."""
    return {"type": "authorized_user", "client_id": "client-1.apps.googleusercontent.com",
            "client_secret": "CLIENT-SECRET", "refresh_token": refresh_token, "token_uri": google.url + "/token"}


def client_secret_info(google) -> dict:
    return {"installed": {"client_id": "client-1.apps.googleusercontent.com", "client_secret": "CLIENT-SECRET",
                          "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": google.url + "/token",
                          "redirect_uris": ["http://localhost"]}}


def fake_browser(google, refresh_token="refresh-2", seen=None):
    """The installed-app flow without a browser: the person signs in and consents."""
    from google.oauth2.credentials import Credentials

    def flow(client, scopes):
        if seen is not None:
            seen.append((client, scopes))
        c = client["installed"]
        return Credentials(token="standin-access-token", refresh_token=refresh_token, token_uri=c["token_uri"],
                           client_id=c["client_id"], client_secret=c["client_secret"], scopes=list(scopes))
    return flow


@pytest.fixture
def env(google, tmp_path, monkeypatch):
    """A clean environment: the stand-in as Google, no config, no ADC anywhere, no GCE metadata server."""
    for var in ("SHEETCRM_CREDENTIALS", "SHEETCRM_CONFIG", "GOOGLE_APPLICATION_CREDENTIALS", "SHEETCRM_SHEET"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SHEETCRM_GOOGLE_API_URL", google.url)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))  # no gcloud sign-in on this machine
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def write(tmp_path, name, info) -> str:
    path = tmp_path / name
    path.write_text(info if isinstance(info, str) else json.dumps(info))
    return str(path)


# -- the token file: owner-only from its first byte -------------------------------------------------------
def test_write_private_creates_the_file_0600_and_never_wider(tmp_path, monkeypatch):
    opened = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        opened.append((str(path), flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    target = tmp_path / "client-token.json"
    target.write_text("old sign-in")
    target.chmod(0o644)
    monkeypatch.setattr(os, "open", spy)
    old_umask = os.umask(0)  # the mode comes from creation, not from a lucky umask
    try:
        gsheets_auth.write_private(target, '{"refresh_token": "new"}')
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == '{"refresh_token": "new"}'
    assert [(flags & os.O_EXCL, flags & os.O_CREAT, mode) for _, flags, mode in opened] == [(os.O_EXCL, os.O_CREAT, 0o600)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client-token.json"]  # no temporary file left


def test_write_private_keeps_the_old_sign_in_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "client-token.json"
    target.write_text("old sign-in")

    def broken_fdopen(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fdopen", broken_fdopen)
    with pytest.raises(OSError):
        gsheets_auth.write_private(target, "new")
    assert target.read_text() == "old sign-in" and sorted(p.name for p in tmp_path.iterdir()) == ["client-token.json"]


# -- auth login ----------------------------------------------------------------------------------------------
def test_login_saves_the_sign_in_beside_the_client_secret(google, tmp_path, env):
    secret = write(tmp_path, "client.json", client_secret_info(google))
    seen = []
    report = api.auth_login(Settings(credentials=secret, credentials_type="oauth"), flow=fake_browser(google, seen=seen))
    token = tmp_path / "client-token.json"
    assert report.saved == token and not report.replaced
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert json.loads(token.read_text())["refresh_token"] == "refresh-2"
    assert seen[0][1] == ("https://www.googleapis.com/auth/spreadsheets",)
    assert "CLIENT-SECRET" not in "\n".join(report.lines())


def test_an_expired_sign_in_says_run_auth_login_and_auth_login_renews_it(google, tmp_path, env):
    key = google.add_book()
    secret = write(tmp_path, "client.json", client_secret_info(google))
    token = tmp_path / "client-token.json"
    token.write_text(json.dumps(user_info(google, refresh_token="refresh-1")))
    google.revoked_refresh_tokens.add("refresh-1")
    args = ["--sheet", key, "auth", "check"]
    env.setenv("SHEETCRM_CREDENTIALS", secret)
    (tmp_path / "sheetcrm.toml").write_text(OAUTH_TOML)
    env.setenv("SHEETCRM_CONFIG", str(tmp_path / "sheetcrm.toml"))
    expired = CliRunner().invoke(cli, args)
    assert expired.exit_code == 1 and expired.stderr.count("\n") == 1
    assert "has expired or was revoked" in expired.stderr and "run `sheetcrm auth login`" in expired.stderr
    env.setattr(gsheets_auth, "browser_flow", fake_browser(google, refresh_token="refresh-2"))
    login = CliRunner().invoke(cli, ["auth", "login"])
    assert login.exit_code == 0, login.output
    assert f"sign-in replaced in {token}" in login.output and "readable only by you" in login.output
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "writable: yes" in again.output and "Google user" in again.output


def test_login_replaces_a_saved_authorized_user_file_in_place(google, tmp_path, env):
    saved = tmp_path / "me.json"
    saved.write_text(json.dumps(user_info(google)))
    settings = Settings(credentials=str(saved), credentials_type="oauth")
    seen = []
    report = api.auth_login(settings, flow=fake_browser(google, seen=seen))
    assert report.saved == saved and report.replaced and stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert seen[0][0]["installed"]["client_id"] == "client-1.apps.googleusercontent.com"
    creds, who = gsheets_auth.load_credentials(settings)  # google-auth's to_json() has no "type": still read
    assert creds.refresh_token == "refresh-2" and who.startswith("Google user")


@pytest.mark.parametrize("kind, content, error, says", [
    ("service_account", "sa", ConfigError, "a service-account key needs no sign-in"),
    ("adc", None, ConfigError, "gcloud auth application-default login"),
    ("oauth", "sa", AuthError, "auth login needs an OAuth client secret"),
    ("oauth", None, AuthError, "no Google credentials"),
])
def test_login_says_when_there_is_nothing_to_sign_in(kind, content, error, says, google, tmp_path, env):
    path = write(tmp_path, "key.json", service_account_info(google)) if content == "sa" else ""
    with pytest.raises(error, match=says):
        api.auth_login(Settings(credentials=path, credentials_type=kind), flow=fake_browser(google))


def test_without_a_saved_sign_in_a_sync_says_run_auth_login(google, tmp_path, env):
    secret = write(tmp_path, "client.json", client_secret_info(google))
    with pytest.raises(AuthError, match=r"no saved Google sign-in .*run `sheetcrm auth login`"):
        gsheets_auth.load_credentials(Settings(credentials=secret, credentials_type="oauth"))


# -- Application Default Credentials ------------------------------------------------------------------------
def impersonation_info(google) -> dict:
    """What `gcloud auth application-default login --impersonate-service-account=EMAIL` writes."""
    return {"type": "impersonated_service_account", "delegates": [], "source_credentials": user_info(google),
            "service_account_impersonation_url":
                f"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{SA_EMAIL}:generateAccessToken"}


@pytest.mark.parametrize("adc, who", [
    (user_info, "Google user (Application Default Credentials from gcloud)"),
    (service_account_info, f"service account {SA_EMAIL} (Application Default Credentials)"),
])
def test_adc_signs_in_without_a_key_file_in_the_config(adc, who, google, tmp_path, env):
    key = google.add_book()
    env.setenv("GOOGLE_APPLICATION_CREDENTIALS", write(tmp_path, "adc.json", adc(google)))
    (tmp_path / "sheetcrm.toml").write_text(ADC_TOML)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "sheetcrm.toml"), "--sheet", key, "auth", "check"])
    assert result.exit_code == 0, result.output
    assert f"credentials: {who}" in result.output and "writable: yes" in result.output
    assert google.count("token") == 1  # the sign-in went to the stand-in, not to Google


def test_adc_with_service_account_impersonation_acts_as_the_service_account(google, tmp_path, env):
    """Loading only: google-auth sends impersonation to Google's IAM endpoint whatever the
    file says, and nothing here may reach Google."""
    env.setenv("GOOGLE_APPLICATION_CREDENTIALS", write(tmp_path, "adc.json", impersonation_info(google)))
    with pytest.raises(ConfigError, match="would still sign in at Google"):  # the stand-in guard
        gsheets_auth.load_credentials(Settings(credentials_type="adc"))
    env.delenv("SHEETCRM_GOOGLE_API_URL")
    creds, who = gsheets_auth.load_credentials(Settings(credentials_type="adc"))  # loading: no request yet
    assert who == f"service account {SA_EMAIL} (impersonated; Application Default Credentials)"
    assert tuple(creds._target_scopes) == ("https://www.googleapis.com/auth/spreadsheets",)


# -- auth check: one line per cause, with what to do ---------------------------------------------------------
def _sa(google, tmp_path, env):
    env.setenv("SHEETCRM_CREDENTIALS", write(tmp_path, "key.json", service_account_info(google)))


def _oauth_signed_in(google, tmp_path, env, refresh="refresh-1"):
    env.setenv("SHEETCRM_CREDENTIALS", write(tmp_path, "client.json", client_secret_info(google)))
    write(tmp_path, "client-token.json", user_info(google, refresh_token=refresh))
    return ["--config", write(tmp_path, "sheetcrm.toml", OAUTH_TOML)]


def _adc_user(google, tmp_path, env):
    env.setenv("GOOGLE_APPLICATION_CREDENTIALS", write(tmp_path, "adc.json", user_info(google)))
    return ["--config", write(tmp_path, "sheetcrm.toml", ADC_TOML)]


def _revoked(google, tmp_path, env, key):
    google.revoked_refresh_tokens.add("refresh-1")
    return _oauth_signed_in(google, tmp_path, env)


AUTH_CHECK = {  # cause -> (setup(google, tmp_path, env, key) -> extra args, exit code, the one line)
    "works": (lambda g, t, e, k: _sa(g, t, e), 0, r"writable: yes"),
    "no credentials": (lambda g, t, e, k: None, 1,
                       r"no Google credentials: set credentials = .* or credentials_type = \"adc\""),
    "key file missing": (lambda g, t, e, k: e.setenv("SHEETCRM_CREDENTIALS", str(t / "gone.json")), 1,
                         r"gone.json does not exist"),
    "unreadable key": (lambda g, t, e, k: e.setenv("SHEETCRM_CREDENTIALS", write(t, "key.json", "{PRIVATE KEY truncated")),
                       1, r"key.json is not JSON; download the key again"),
    "not a key": (lambda g, t, e, k: e.setenv("SHEETCRM_CREDENTIALS", write(t, "key.json", client_secret_info(g))), 1,
                  r"holds 'client_secret' credentials, not a service-account key; .*credentials_type = \"oauth\""),
    "API disabled": (lambda g, t, e, k: (_sa(g, t, e), g.disabled_apis.add("sheets.googleapis.com")), 1,
                     r"Google Sheets API \(sheets.googleapis.com\) is not enabled .*enable it at "
                     r"https://console.developers.google.com/apis/api/sheets.googleapis.com/overview\?project=123456789012"),
    "missing scope (gcloud)": (lambda g, t, e, k: (setattr(g, "token_scopes", CLOUD_ONLY), _adc_user(g, t, e))[1], 1,
                               r"without access to Google Sheets .*gcloud auth application-default login "
                               r"--scopes=https://www.googleapis.com/auth/spreadsheets"),
    "missing scope (oauth)": (lambda g, t, e, k: (setattr(g, "token_scopes", CLOUD_ONLY), _oauth_signed_in(g, t, e))[1], 1,
                              r"without access to Google Sheets .*run `sheetcrm auth login` and allow access"),
    "not shared": (lambda g, t, e, k: (_sa(g, t, e), setattr(g.book(k), "readers_denied", True)), 1,
                   rf"service account {SA_EMAIL} .* has no access to Google Sheet {{key}}: share the sheet with it as Editor"),
    "shared read-only": (lambda g, t, e, k: (_sa(g, t, e), setattr(g.book(k), "writers_denied", True)), 1,
                         r"can read Google Sheet {key} but not change it: share the sheet with it as Editor"),
    "not found": (lambda g, t, e, k: (_sa(g, t, e), g.books.pop(k)), 1,
                  r"Google Sheet {key} was not found: check --sheet KEY"),
    "expired sign-in": (_revoked, 1, r"has expired or was revoked \(invalid_grant\): run `sheetcrm auth login`"),
    "never signed in": (lambda g, t, e, k: (e.setenv("SHEETCRM_CREDENTIALS", write(t, "client.json", client_secret_info(g))),
                                            ["--config", write(t, "sheetcrm.toml", OAUTH_TOML)])[1], 1,
                        r"no saved Google sign-in .*run `sheetcrm auth login`"),
    "key deleted": (lambda g, t, e, k: (_sa(g, t, e), g.fail(*bodies.KEY_DELETED[:1], times=9, on="token",
                                                             body=bodies.KEY_DELETED[1])), 1,
                    r"Google refused the key of .*create a new key"),
    "no ADC": (lambda g, t, e, k: ["--config", write(t, "sheetcrm.toml", ADC_TOML)], 1,
               r"no usable Application Default Credentials .*gcloud auth application-default login"),
}


@pytest.mark.parametrize("cause", list(AUTH_CHECK))
def test_auth_check_names_the_cause_and_what_to_do(cause, google, tmp_path, env):
    key = google.add_book()
    setup, code, says = AUTH_CHECK[cause]
    extra = setup(google, tmp_path, env, key)
    extra = extra if isinstance(extra, list) else []
    result = CliRunner().invoke(cli, [*extra, "--sheet", key, "auth", "check"])
    assert result.exit_code == code, result.output
    out = result.output if code == 0 else result.stderr
    assert re.search(says.replace("{key}", key), out), out
    if code:
        assert out.count("\n") == 1 and "Traceback" not in result.output
    for secret in ("PRIVATE KEY", "CLIENT-SECRET", "refresh-1", "standin-access-token"):
        assert secret not in result.output
