"""sitecare benchmarks: medians of repeated runs on synthetic vaults, with ratios.

    .venv/bin/python bench/run.py                 # small and large
    .venv/bin/python bench/run.py --extreme       # also extreme (about 2 GB of blobs)
    .venv/bin/python bench/run.py --runs 9

Vaults are generated into bench/vaults/ on first use (bench/generate.py). Each figure
is the median of --runs runs (at least 5). Launch is a fresh process, headless, from
its start until the home screen's list has painted, key derivation left out, in two
ways (bench/launch_child.py): with the vault opened by its derived key before the app
starts, and as a user starts it, through the unlock screen with the passphrase entered
the moment that screen has painted. Each is compared with a minimal Textual app
(Header, Static, Footer) from its start until its first paint, launched in turn with
each sitecare launch (this machine's speed drifts from minute to minute); a ratio is
the median of the pairs' ratios.

With --extreme, "x growth" is each figure's growth from large to extreme, and "calls x"
the growth of the Python calls its work makes on the measuring thread (cProfile, one
more run; see _calls for what that does not see): a cost that grows faster than the
data while its calls do not does no more Python work per record.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from generate import PASSPHRASE, SCALES, generate  # noqa: E402

from sitecare.data import models  # noqa: E402
from sitecare.data.vault import Vault, decrypt_bytes, derive_key  # noqa: E402

TODAY = date(2026, 11, 22)

TARGETS = {
    "launch ratio, key given": "<= 1.5 x minimal app",
    "launch ratio, through unlock": "<= 1.5 x minimal app",
    "save after one edit (ms)": "<= 50 ms",
    "attention list, kept yesterday (ms)": "<= 50 ms",
    "attention after a concern entry (ms)": "<= 50 ms",
    "attention after a training edit (ms)": "<= 50 ms",
    "attention after an authority verified (ms)": "<= 50 ms",
    "palette search per key (ms)": "<= 30 ms",
    "peak RSS (MiB)": "<= 3 x database + 60 MiB",
}


#: Calls (Python functions and builtins, as cProfile counts them) made by the timed part
#: of one more run of a figure, by figure, for the vault being measured; with --extreme
#: only (COUNT_CALLS). A figure whose time grows faster than the data while its calls
#: grow no faster does no more Python work per record. The count is of the measuring
#: thread's calls: work in C (SQLite, sorting, hashing) is one call whatever its size,
#: and other threads (a save's page digests) are not seen; the palette's count takes in
#: whatever else the event loop runs meanwhile.
_calls: dict[str, int] = {}
_counting: list[int] | None = None
COUNT_CALLS = False


def median_of(fn, runs: int, count: str | None = None) -> float:
    """The median of `runs` samples of `fn` (each from timed()); with `count`, one more
    run counting calls instead of time, kept under that name."""
    global _counting
    samples = []
    for _ in range(runs):
        samples.append(fn())
    if count is not None and COUNT_CALLS:
        _counting = []
        try:
            fn()
            _calls[count] = sum(_counting)
        finally:
            _counting = None
    return statistics.median(samples)


def timed(fn) -> float:
    if _counting is not None:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        try:
            fn()
        finally:
            profile.disable()
        _counting.append(pstats.Stats(profile).total_calls)
        return 0.0
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def vault_folder(scale: str) -> Path:
    folder = HERE / "vaults" / scale
    if not (folder / "sitecare.vault").exists():
        print(f"generating the {scale} vault ...", file=sys.stderr)
        vault = generate(folder, scale)
        vault.close()
    return folder


# A user's Python caches compiled modules (__pycache__); the installed Textual already
# has its cache. A shell that sets PYTHONDONTWRITEBYTECODE would make every launch of
# sitecare compile its own source again and measure something no user sees.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Launch:
    painted: float  # from the process's start to the paint, key derivation left out (s)
    rss_kib: int
    unlock_painted: float  # from the process's start to the unlock screen's paint (s)
    derivation: float  # key derivation (s)


def launch(args: list[str]) -> Launch:
    started = time.perf_counter()
    child = subprocess.run([sys.executable, str(HERE / "launch_child.py"), *args], capture_output=True,
                           text=True, timeout=120, env=CHILD_ENV)
    for line in child.stdout.splitlines():
        if line.startswith("painted"):
            _, painted, rss, _, unlock, derivation = line.split()
            return Launch(float(painted) - started - float(derivation), int(rss),
                          float(unlock) - started if float(unlock) else 0.0, float(derivation))
    raise RuntimeError(f"launch failed: {child.stderr[-2000:]}")


def launches_with_minimal(args: list[str], runs: int, minimal: list[Launch]) -> tuple[list[Launch], list[float]]:
    """`runs` launches of sitecare, each followed by one of the minimal app (kept in
    `minimal`); the ratio of each pair."""
    launch(args)  # warm-up: compiled-module cache, file cache
    mine, ratios = [], []
    for _ in range(runs):
        mine.append(launch(args))
        minimal.append(launch(["minimal"]))
        ratios.append(mine[-1].painted / minimal[-1].painted)
    return mine, ratios


def attention_once() -> None:
    """The list with nothing kept: gather the inputs from the vault, then the pure list,
    with the garbage collector paused as current_attention pauses it (with it on, the
    collector traverses the growing heap again and again: 13 x from large to extreme)."""
    from sitecare.data.attention_inputs import collector_paused, gather, windows
    from sitecare.rules.attention import attention_list

    with collector_paused():
        attention_list(gather(TODAY), TODAY, windows())


def palette(app_cls, vault: Vault, query: str, runs: int) -> tuple[float, float]:
    """(median opening, median per key): both record providers (sites and people;
    clients and complaints) build their index, then answer each prefix of `query`;
    `runs` times over, in one app, then once more counting calls."""
    import asyncio

    from sitecare.screens.clients import ClientsComplaintsCommands
    from sitecare.screens.commands import SitecareCommands

    async def measure() -> tuple[list[float], list[float]]:
        import cProfile
        import pstats

        app = app_cls(vault, now=lambda: datetime(2026, 11, 22, 9, 0))
        openings, times = [], []
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for run in range(runs + 1 if COUNT_CALLS else runs):
                # The last run counts calls rather than time (see _calls).
                profile = cProfile.Profile() if run == runs and COUNT_CALLS else None
                if profile is not None:
                    profile.enable()
                start = time.perf_counter()
                providers = [SitecareCommands(app.screen, None), ClientsComplaintsCommands(app.screen, None)]
                for provider in providers:
                    provider._post_init()
                    await provider._wait_init()
                if profile is not None:
                    profile.disable()
                    _calls["palette open (ms)"] = pstats.Stats(profile).total_calls
                    profile = cProfile.Profile()
                else:
                    openings.append(time.perf_counter() - start)
                for end in range(1, len(query) + 1):
                    if profile is not None:
                        profile.enable()
                    start = time.perf_counter()
                    for provider in providers:
                        hits = [hit async for hit in provider.search(query[:end])]
                        assert hits is not None
                    if profile is not None:
                        profile.disable()
                    else:
                        times.append(time.perf_counter() - start)
                if profile is not None:
                    _calls["palette search per key (ms)"] = pstats.Stats(profile).total_calls // len(query)
        return openings, times

    openings, times = asyncio.run(measure())
    return statistics.median(openings), statistics.median(times)


def measure(scale: str, runs: int, minimal: list[Launch]) -> dict[str, float]:
    _calls.clear()
    folder = vault_folder(scale)
    vault = Vault(folder)
    header = vault.read_header()
    results: dict[str, float] = {}
    results["key derivation (ms)"] = 1000 * median_of(lambda: timed(lambda: derive_key(PASSPHRASE, header.salt, header.kdf)), runs)
    kek = derive_key(PASSPHRASE, header.salt, header.kdf)

    def decrypt_and_load() -> None:
        h, key, image = decrypt_bytes(vault.path.read_bytes(), kek)
        vault.load(h, key, image)

    results["decrypt and load (ms)"] = 1000 * median_of(lambda: timed(decrypt_and_load), runs)
    vault.close()

    # Work on a copy so the generated vault stays as generated; a private temp folder
    # so two benchmark runs never share one.
    import shutil
    import tempfile

    from sitecare.data import kept_attention
    from sitecare.data.attention_cache import attention_cache, drop_cache
    from sitecare.data.attention_inputs import current_attention, keep_attention, mark_authority_verified

    scratch = Path(tempfile.mkdtemp(prefix=f"sitecare-bench-{scale}-"))
    fresh = scratch / "nothing-kept"
    shutil.copytree(folder, fresh, ignore=shutil.ignore_patterns("blobs"))
    scratch = scratch / "vault"
    shutil.copytree(folder, scratch, ignore=shutil.ignore_patterns("blobs"))
    work = Vault(scratch)
    work.open_with_key(kek)
    # The database as every launch holds it: the generated image brought up to this
    # sitecare's schema (an index added since it was generated counts), before any
    # attention list is kept in it.
    results["database (MiB)"] = len(work.serialize()[1]) / 2**20
    # An everyday launch: the list was kept in the vault at yesterday's use (the home
    # screen keeps it once shown). The launch children run on the real clock.
    keep_attention(datetime.now() - timedelta(days=1))
    work.save(full=True)
    work.close()

    # Launches: everyday (list kept yesterday), and the first after an upgrade or on a
    # generated vault (nothing kept: the whole list worked out). They open the vault
    # for writing, as a user does; none lives long enough to write anything.
    given, ratios = launches_with_minimal(["opened", str(scratch), kek.hex()], runs, minimal)
    results["launch to home, key given (ms)"] = 1000 * statistics.median(x.painted for x in given)
    results["launch ratio, key given"] = statistics.median(ratios)
    results["peak RSS (MiB)"] = statistics.median(x.rss_kib for x in given) / 1024
    through, ratios = launches_with_minimal(["unlock", str(scratch), PASSPHRASE], runs, minimal)
    results["unlock screen painted (ms)"] = 1000 * statistics.median(x.unlock_painted for x in through)
    results["launch to home, through unlock (ms)"] = 1000 * statistics.median(x.painted for x in through)
    results["launch ratio, through unlock"] = statistics.median(ratios)
    # Argon2id's 64 MiB of working memory is in this one (deliberate, and let go at once).
    results["peak RSS, through unlock (MiB)"] = statistics.median(x.rss_kib for x in through) / 1024
    first, ratios = launches_with_minimal(["opened", str(fresh), kek.hex()], runs, minimal)
    results["launch, key given, nothing kept (ms)"] = 1000 * statistics.median(x.painted for x in first)
    results["launch ratio, key given, nothing kept"] = statistics.median(ratios)
    shutil.rmtree(fresh, ignore_errors=True)

    work.open_with_key(kek)
    counter = iter(range(10**6))

    def edit_a_site() -> None:
        with models.suspended_commit_hooks():
            with models.change():
                site = models.Site.get_by_id(1)
                site.visit_notes = f"Sign in at reception ({next(counter)})"
                site.save()

    def one_edit() -> float:
        edit_a_site()
        return timed(work.save)

    work.save(full=True)  # start from a file with no journal records
    results["save after one edit (ms)"] = 1000 * median_of(one_edit, runs, "save after one edit (ms)")

    def full_save() -> float:
        edit_a_site()
        return timed(lambda: work.save(full=True))

    # What a save costs when the journal is compacted into a new file (every 64 saves,
    # or when the journal passes a quarter of the image).
    results["full save, compaction (ms)"] = 1000 * median_of(full_save, runs, "full save, compaction (ms)")
    results["attention list, pure path (ms)"] = 1000 * median_of(lambda: timed(attention_once), runs,
                                                                 "attention list, pure path (ms)")

    # What the app does: current_attention keeps the list between calls and, after a
    # change, reads again only what the change touched. At launch it starts from what
    # the vault keeps (kept yesterday here); with nothing kept it works everything out.
    now = datetime(2026, 11, 22, 9, 0)

    def at_launch(work) -> float:
        # As at launch, where garbage collection is paused until home is up (cli.run_app)
        # and then frozen, not run: with it on here, the figure took in a collection of
        # everything the list made (about a third of it) that a launch never makes.
        gc.disable()
        try:
            return timed(work)
        finally:
            gc.enable()

    def cold() -> float:
        # Only a launch starts with nothing kept (the first after an upgrade).
        drop_cache()
        attention_cache().use_kept = False
        return at_launch(lambda: current_attention(now))

    def kept_yesterday() -> float:
        drop_cache()
        return at_launch(lambda: current_attention(now))

    def keeping() -> float:
        # What the home screen does after it is shown, the first time (nothing kept).
        kept_attention.forget()
        drop_cache()
        current_attention(now)
        elapsed = timed(lambda: keep_attention(now))
        drop_cache()
        return elapsed

    def after_an_entry() -> float:
        current_attention(now)
        with models.suspended_commit_hooks():
            with models.change():
                concern = models.Concern.select().where(models.Concern.status == "open").first()
                models.ChronologyEntry.create(concern=concern, at=now, recorded_at=now, kind="note",
                                              text=f"Spoke to the DSL ({next(counter)})")
        return timed(lambda: current_attention(now))

    def after_a_training_record() -> float:
        current_attention(now)
        with models.suspended_commit_hooks():
            with models.change():
                record = models.TrainingRecord.select().first()
                record.expires = date(2027, 1, 1 + next(counter) % 28)
                record.save()
        return timed(lambda: current_attention(now))

    def after_an_authority_verified() -> float:
        # From the home screen's authority item (data/attention_inputs.py
        # mark_authority_verified): the concerns at that authority's sites are read
        # again, and the groups that read every authority.
        current_attention(now)
        with models.suspended_commit_hooks():
            authority = models.LocalAuthority.select().order_by(models.LocalAuthority.id).first()
            mark_authority_verified(authority.id, TODAY - timedelta(days=next(counter) % 300))
        return timed(lambda: current_attention(now))

    results["attention list, nothing kept (ms)"] = 1000 * median_of(cold, runs, "attention list, nothing kept (ms)")
    results["keeping the list, first time (ms)"] = 1000 * median_of(keeping, runs, "keeping the list, first time (ms)")
    kept_attention.forget()
    drop_cache()
    keep_attention(now - timedelta(days=1))
    results["attention list, kept yesterday (ms)"] = 1000 * median_of(kept_yesterday, runs, "attention list, kept yesterday (ms)")
    results["attention after a concern entry (ms)"] = 1000 * median_of(after_an_entry, runs, "attention after a concern entry (ms)")
    results["attention after a training edit (ms)"] = 1000 * median_of(after_a_training_record, runs, "attention after a training edit (ms)")
    results["attention after an authority verified (ms)"] = 1000 * median_of(
        after_an_authority_verified, runs, "attention after an authority verified (ms)")
    try:
        from sitecare.app import SitecareApp

        opening, per_key = palette(SitecareApp, work, "person 0042", runs)
        results["palette open (ms)"] = 1000 * opening
        results["palette search per key (ms)"] = 1000 * per_key
    except ImportError:
        results["palette search per key (ms)"] = float("nan")
    work.close()
    shutil.rmtree(scratch.parent, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--extreme", action="store_true", help="also measure the extreme vault (slow to generate)")
    args = parser.parse_args()
    runs = max(5, args.runs)
    global COUNT_CALLS
    COUNT_CALLS = args.extreme

    launch(["minimal"])  # warm-up, as for sitecare
    minimal: list[Launch] = []
    scales = ["small", "large"] + (["extreme"] if args.extreme else [])
    table, calls = {}, {}
    for scale in scales:
        table[scale] = measure(scale, runs, minimal)
        calls[scale] = dict(_calls)
    minimal_ms = 1000 * statistics.median(x.painted for x in minimal)

    print(f"sitecare benchmarks, median of {runs} runs; {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    minimal_rss = statistics.median(x.rss_kib for x in minimal) / 1024
    print(f"minimal Textual app, start to first paint: {minimal_ms:.0f} ms (median of {len(minimal)}, "
          f"{1000 * min(x.painted for x in minimal):.0f} to {1000 * max(x.painted for x in minimal):.0f}), "
          f"peak RSS {minimal_rss:.0f} MiB\n")
    rows = list(table["small"].keys())
    header = f"{'figure':44}" + "".join(f"{s:>12}" for s in scales)
    if "extreme" in scales:
        header += f"{'x growth':>10}{'calls x':>9}"
    header += "  target (large)"
    print(header)
    print("-" * len(header))
    for row in rows:
        line = f"{row:44}" + "".join(f"{table[s][row]:12.1f}" if not row.startswith("launch ratio") else f"{table[s][row]:12.2f}" for s in scales)
        if "extreme" in scales:
            large, extreme = table["large"][row], table["extreme"][row]
            line += f"{(extreme / large if large else float('nan')):10.1f}"
            counted = calls["large"].get(row), calls["extreme"].get(row)
            line += f"{counted[1] / counted[0]:9.1f}" if all(counted) else " " * 9
        line += f"  {TARGETS.get(row, '')}"
        print(line)
    large = table["large"]
    print()
    print(f"large: launch {large['launch ratio, key given']:.2f} x minimal with the key given, "
          f"{large['launch ratio, through unlock']:.2f} x through the unlock screen; save {large['save after one edit (ms)']:.1f} ms; "
          f"attention kept yesterday {large['attention list, kept yesterday (ms)']:.1f} ms "
          f"(nothing kept {large['attention list, nothing kept (ms)']:.1f} ms), after an edit "
          f"{large['attention after a concern entry (ms)']:.1f}/{large['attention after a training edit (ms)']:.1f} ms; palette {large['palette search per key (ms)']:.1f} ms/key; "
          f"peak RSS {large['peak RSS (MiB)']:.0f} MiB vs limit {3 * large['database (MiB)'] + 60:.0f} MiB")


if __name__ == "__main__":
    main()
