"""Drive one attack module through SandboxedSubmission and measure host memory.

usage, from the repository root:
    .venv/bin/python tests/adversarial/memory/drive.py MODULE.py MODE CALL [CALL...]   (CALL = name or name:arg)

The issue-14 red team measured the attacks of attacks_activations.py with it (SECURITY.md).
"""
import sys, time, threading, json, shutil, tempfile, os
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root
from autograder.assignments import NUMERIC_LIMITS
from autograder.checks import CheckFailure
from autograder.sandbox.launcher import SandboxConfig, SandboxMode
from autograder.sandbox.proxy import SandboxedSubmission


def meminfo():
    d = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            d[k] = int(v.split()[0]) // 1024
    return {"used": d["MemTotal"] - d["MemAvailable"], "shmem": d["Shmem"], "pt": d["PageTables"],
            "slab": d["Slab"], "unrec": d.get("SUnreclaim", 0)}


class Monitor(threading.Thread):
    def __init__(self, base, threshold_mb):
        super().__init__(daemon=True)
        self.base, self.thr = base, threshold_mb
        self.samples = []
        self.stop_ = False

    def run(self):
        while not self.stop_:
            m = meminfo()
            self.samples.append((time.monotonic(), {k: m[k] - self.base[k] for k in m}))
            time.sleep(0.02)

    def summary(self, t0, t1):
        s = [(t, m) for t, m in self.samples if t0 <= t <= t1]
        if not s:
            return {}
        peak = {k: max(m[k] for _, m in s) for k in s[0][1]}
        above = [t for t, m in s if m["used"] > self.thr]
        dur = 0.0
        # total time above threshold (sum of sample intervals)
        for (ta, ma), (tb, mb) in zip(s, s[1:]):
            if ma["used"] > self.thr:
                dur += tb - ta
        return {"peak_delta_mb": peak, "secs_above_%dMB" % self.thr: round(dur, 2)}


def main():
    module, mode = sys.argv[1], sys.argv[2]
    calls = sys.argv[3:]
    thr = int(os.environ.get("THR", "2048"))
    work = Path(tempfile.mkdtemp(prefix="rt-"))
    shutil.copy(module, work / "activations.py")
    os.chmod(work, 0o755); os.chmod(work / "activations.py", 0o644)
    config = SandboxConfig(SandboxMode(mode), memory_mb=NUMERIC_LIMITS.memory_mb)
    base = meminfo()
    print("baseline", base, flush=True)
    mon = Monitor(base, thr); mon.start()
    t0 = time.monotonic()
    sub = SandboxedSubmission(work, "activations.py", "activations", NUMERIC_LIMITS, config)
    print("import:", sub.start(), round(time.monotonic() - t0, 2), flush=True)
    for c in calls:
        name, _, arg = c.partition(":")
        args = [json.loads(arg)] if arg else []
        ts = time.monotonic()
        try:
            r = sub.call(name, *args)
            hwm = [l for l in open("/proc/self/status") if l.startswith(("VmHWM", "VmRSS"))]
            print("grader", " ".join(x.split()[0] + x.split()[1] for x in hwm), type(r).__name__, getattr(r, "shape", ""))
            print(f"call {c} -> {str(r)[:300]!r} in {time.monotonic()-ts:.2f}s; now {meminfo()}", flush=True)
        except CheckFailure as e:
            print(f"call {c} -> FAIL {e.stage}: {e.message[:300]} in {time.monotonic()-ts:.2f}s", flush=True)
    t_close = time.monotonic()
    print("during:", mon.summary(t0, t_close), flush=True)
    sub.close()
    tc = time.monotonic()
    print("closed in", round(tc - t_close, 2), "s; right after close:", {k: meminfo()[k] - base[k] for k in base}, flush=True)
    time.sleep(float(os.environ.get("AFTER", "2")))
    mon.stop_ = True
    print("after close (+%ss):" % os.environ.get("AFTER", "2"), {k: meminfo()[k] - base[k] for k in base}, flush=True)
    print("after-close window:", mon.summary(tc, time.monotonic()), flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
