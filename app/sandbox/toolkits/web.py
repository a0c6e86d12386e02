"""The approval form as a web page in Firefox ESR or Chromium.

One page (resources/web_form/approval.html) built from spec.py, served on 127.0.0.1 by a
WebFormServer (app/sandbox/web_form.py), which holds what the page last reported. Each
browser runs with a fresh profile; Chromium exposes the page's widgets only with
--force-renderer-accessibility, Firefox when GNOME_ACCESSIBILITY=1 or the AT-SPI bus says
accessibility is on (both set by AccessibilityBus.env()).
"""
from __future__ import annotations

import shutil
import urllib.parse
from pathlib import Path

from app.sandbox.targets import Target, TargetError, launch_browser_page
from app.sandbox.toolkits import spec
from app.sandbox.web_form import WebFormServer, chromium_argv, find_chromium
from app.sandbox.xsession import XSession

PAGE = "approval.html"
FIREFOX_BINARIES = ("firefox-esr", "firefox")

# A quiet Firefox: no first-run pages, updates, telemetry or calls home; no form history
# (it would offer earlier values in a drop-down under the box being typed into).
FIREFOX_PREFS = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "startup.homepage_welcome_url": "",
    "startup.homepage_welcome_url.additional": "",
    "browser.aboutwelcome.enabled": False,
    "browser.startup.page": 0,
    "browser.sessionstore.resume_from_crash": False,
    "browser.tabs.warnOnClose": False,
    "browser.warnOnQuit": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "toolkit.startup.max_resumed_crashes": -1,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "browser.newtabpage.enabled": False,
    "browser.translations.enable": False,
    "browser.formfill.enable": False,
    "signon.rememberSignons": False,
    "media.gmp-manager.url": "",
    "services.settings.server": "http://127.0.0.1:9/",
    "intl.accept_languages": "zh-CN",
    "accessibility.force_disabled": -1,        # never switch accessibility off
}


def find_firefox() -> str | None:
    return next((p for p in map(shutil.which, FIREFOX_BINARIES) if p), None)


def _pref(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def firefox_argv(url: str, profile: str, binary: str) -> list[str]:
    """Firefox on a fresh profile (its user.js written here), one window showing `url`."""
    prefs = "".join(f'user_pref("{k}", {_pref(v)});\n' for k, v in FIREFOX_PREFS.items())
    Path(profile, "user.js").write_text(prefs, encoding="utf-8")
    return [binary, "--no-remote", "--new-instance", "--profile", profile, url]


def form_server(form: spec.FormSpec = spec.APPROVAL) -> WebFormServer:
    initial = form.empty_state()["fields"]
    return WebFormServer(page=PAGE, field_names=tuple(initial), initial=initial,
                         substitutions={"/*SPEC*/null": form.spec_json()})


def launch_browser_form(session: XSession, toolkit: str, title: str, *,
                        env: dict[str, str], work_dir: Path | str | None,
                        timeout: float, form: spec.FormSpec = spec.APPROVAL) -> Target:
    query = "?" + urllib.parse.urlencode({"toolkit": toolkit, "title": title})
    if toolkit == "chromium":
        binary = find_chromium()

        def argv(url: str, profile: str) -> list[str]:
            # the page's widgets reach the AT-SPI tree only with this switch
            return chromium_argv(url, profile, binary=binary)[:-1] + [
                "--force-renderer-accessibility", f"--app={url}"]
    elif toolkit == "firefox":
        binary = find_firefox()
        if binary is None:
            raise TargetError("Firefox is not installed: run `apt-get install firefox-esr`.")

        def argv(url: str, profile: str) -> list[str]:
            return firefox_argv(url, profile, binary)
    else:
        raise TargetError(f"{toolkit} is not a browser.")
    if work_dir is not None:
        Path(work_dir).mkdir(parents=True, exist_ok=True)
    return launch_browser_page(session, toolkit, form_server(form), argv, query=query,
                               title_glob=f"{title}*", first_field=form.first, env=env,
                               profile_dir=str(work_dir) if work_dir is not None else None,
                               timeout=timeout)
