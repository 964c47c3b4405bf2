"""Run in a fresh process by bench/run.py: start the app headless on an unlocked vault
(key derivation excluded: the derived key is passed in) and report when the home
screen's attention list has been painted, or start the minimal reference app.

Prints one line: "painted <seconds since interpreter start> <peak RSS KiB> <CPU seconds>".
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

START = time.perf_counter()


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


def report(app) -> None:
    rss = peak_rss_kib()
    print(f"painted {time.perf_counter() - START:.6f} {rss} {time.process_time():.6f}", flush=True)
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


def sitecare(folder: str, kek_hex: str) -> None:
    import gc

    gc.disable()  # as sitecare.cli.run_app does; the app turns it on once home is up
    from sitecare.app import SitecareApp
    from sitecare.data.vault import Vault
    from sitecare.screens.home import HomeScreen

    vault = Vault(folder)
    vault.open_with_key(bytes.fromhex(kek_hex), readonly=True)

    class Timed(SitecareApp):
        # A relative CSS_PATH resolves beside the subclass's own file: point it home.
        CSS_PATH = str(Path(sys.modules[SitecareApp.__module__].__file__).parent / SitecareApp.CSS_PATH)

    # Reported after the refresh that follows the home list's first filling, as the
    # minimal app reports after the refresh that follows its mount. (Polling for it
    # every millisecond, as before, took its own share of the one thread measured.)
    fill = HomeScreen.refresh_data
    reported = []

    def fill_and_report(screen: HomeScreen) -> None:
        fill(screen)
        if not reported and getattr(screen, "items", None) is not None and screen.is_mounted:
            reported.append(True)
            screen.app.call_after_refresh(report, screen.app)

    HomeScreen.refresh_data = fill_and_report
    Timed(vault).run(headless=True, size=(80, 24))


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        sitecare(sys.argv[2], sys.argv[3])
