"""Run in a fresh process by bench/run.py: start the app headless and report when the
home screen's attention list has been painted, or start the minimal reference app.

Two ways into sitecare, both leaving key derivation out:
  opened <folder> <key hex>    the vault is opened with its derived key before the app
                               starts, as `sitecare demo` opens its vault;
  unlock <folder> <passphrase> as a user starts it: the unlock screen, the passphrase
                               entered the moment that screen has painted (no typing
                               time), the key derived; the derivation's time is reported
                               so that the caller can take it out.

Prints one line, times as absolute time.perf_counter() readings (the system's monotonic
clock, shared with the parent, which notes when it started this process):
"painted <paint> <peak RSS KiB> <CPU s> <unlock screen painted, or 0> <key derivation s>".
"""

from __future__ import annotations

import inspect
import resource
import sys
import time
from pathlib import Path


def peak_rss_kib() -> int:
    # Linux keeps ru_maxrss across fork and exec, so a child of a bench process that
    # had loaded a big vault reported the parent's peak; VmHWM is this process's own.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report(app, unlock_painted: float = 0.0, derivation: float = 0.0) -> None:
    painted = time.perf_counter()
    rss = peak_rss_kib()
    print(f"painted {painted:.6f} {rss} {time.process_time():.6f} {unlock_painted:.6f} {derivation:.6f}", flush=True)
    app.exit()


def minimal() -> None:
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Minimal(App):
        def compose(self):
            yield Header()
            yield Static("Hello")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(report, self)

    Minimal().run(headless=True, size=(80, 24))


def sitecare(way: str, folder: str, secret: str) -> None:
    import gc

    gc.disable()  # as sitecare.cli.run_app does; the app turns it on once home is up
    import sitecare.app as app_module
    from sitecare.app import SitecareApp
    from sitecare.data import vault as vault_module
    from sitecare.data.vault import Vault
    from sitecare.screens.unlock import UnlockScreen

    times = {"unlock": 0.0, "derivation": 0.0}

    class Timed(SitecareApp):
        # A relative CSS_PATH resolves beside the subclass's own file: point it home.
        CSS_PATH = str(Path(sys.modules[SitecareApp.__module__].__file__).parent / SitecareApp.CSS_PATH)

    # The home list is reported after the refresh that follows its first filling, as
    # the minimal app reports after the refresh that follows its mount. (Polling for it
    # every millisecond, as once, took its own share of the one thread measured.) The
    # home screen's module may be imported late (during the unlock), so it is watched
    # from the moment the app imports it.
    def watch(home) -> None:
        fill = home.refresh_data
        resume = home.on_screen_resume
        reported = []

        def report_if_shown(screen) -> None:
            # Filled with the list, and the screen shown. A home screen made ready
            # beneath the unlock screen is filled once the vault is open, just before
            # it is shown.
            shown = screen.is_mounted and screen.app.screen is screen
            if not reported and screen.app.vault.is_open and getattr(screen, "keys_ready", True) and shown:
                reported.append(True)
                screen.app.call_after_refresh(report, screen.app, times["unlock"], times["derivation"])

        def fill_and_report(screen) -> None:
            fill(screen)
            report_if_shown(screen)

        takes_event = len(inspect.signature(resume).parameters) > 1  # as Textual dispatches it

        def resume_and_report(screen, event) -> None:
            resume(screen, event) if takes_event else resume(screen)
            report_if_shown(screen)

        home.refresh_data = fill_and_report
        home.on_screen_resume = resume_and_report
        home._watched = True

    real_import = app_module.import_module

    def import_and_watch(name: str, *args):
        module = real_import(name, *args)
        if name == "sitecare.screens.home" and not getattr(module.HomeScreen, "_watched", False):
            watch(module.HomeScreen)
        return module

    app_module.import_module = import_and_watch
    if "sitecare.screens.home" in sys.modules:  # a sitecare that imports it up front
        watch(sys.modules["sitecare.screens.home"].HomeScreen)

    vault = Vault(folder)
    if way == "opened":
        # As the unlock screen opens it: SQLite's check is left to the app, which runs
        # it in a thread once the home screen is up (and before anything is saved).
        vault.open_with_key(bytes.fromhex(secret), check_later=True)
    else:
        shown = UnlockScreen.on_mount

        def show_and_enter(screen: UnlockScreen) -> None:
            shown(screen)

            def enter() -> None:
                times["unlock"] = time.perf_counter()
                screen.query_one("#passphrase").value = secret
                screen.unlock()  # as Enter in the passphrase field does

            screen.call_after_refresh(enter)

        UnlockScreen.on_mount = show_and_enter
        derive = vault_module.derive_key

        def timed_derive(*args):
            start = time.perf_counter()
            try:
                return derive(*args)
            finally:
                times["derivation"] = time.perf_counter() - start

        vault_module.derive_key = timed_derive
    Timed(vault).run(headless=True, size=(80, 24))


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        sitecare(*sys.argv[1:4])
