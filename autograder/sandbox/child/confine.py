"""Confine one worker inside a pre-warmed sandbox: namespaces of its own, private folders,
no capabilities, and a seccomp filter.

A pre-warmed sandbox (zygote.py) outlives the submissions it serves, so whatever a child can
address there could outlast the child: bubblewrap's init (same uid, traceable), the zygote,
the shared /tmp. IOI's isolate and nsjail avoid that by giving every run fresh namespaces;
this module does the same for each forked child, in two steps:

1. ``enter_namespaces`` (in the zygote's fresh fork): new user, PID, mount, IPC, network and
   UTS namespaces. The user namespace is a child of the sandbox's, so the worker has no
   capability over any process outside it: it can neither ptrace nor read the memory of the
   zygote or bubblewrap's init (the kernel requires CAP_SYS_PTRACE in *their* namespace), and
   the PID namespace means it cannot even name them (kill, prlimit, setpriority and
   sched_setaffinity take a pid).
2. ``confine_worker`` (in the next fork, PID 1 of that PID namespace, so that every process
   the submission starts dies with it): private tmpfs at /tmp, /dev/shm and /submission
   (capped; the submission's files are unpacked there from a descriptor, so the host never
   writes into a folder a sandbox can write), the /proc entries of the processes outside
   hidden, then every capability dropped, so that none of those mounts can be undone, and a
   seccomp filter installed.

The seccomp filter (``install_seccomp``, libseccomp through ``pyseccomp``) is a second wall,
also used where there are no namespaces (the user mode): it refuses ptrace, process_vm_readv/
writev, kcmp and pidfd_getfd, and prlimit, setpriority and sched_setaffinity aimed at any
process but the caller (pid 0), and the kernel keyring calls (add_key, keyctl, request_key:
a sandbox that root started runs as root's uid on the host, and root's own user keyring
outlives every sandbox), and shared memory that no process's resident memory shows, so that the
watchdog could not count it: memfd_create (pages written to a descriptor and never mapped) and
System V shared memory, message queues and semaphores (which outlive the process in the user
mode). It answers EPERM rather than kill, so that a library probing for them carries on.

Standard library and ctypes only (``pyseccomp`` is itself ctypes over libseccomp.so.2).
"""

from __future__ import annotations

import ctypes
import errno
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACES = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REC = 16384
MS_PRIVATE = 1 << 18

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

# A sandbox's /tmp and /dev/shm (tmpfs: in the host's memory), whether bubblewrap or a
# confined child mounts them.
TMP_BYTES = 128 * 1024 * 1024
SHM_BYTES = 64 * 1024 * 1024

_libc = ctypes.CDLL(None, use_errno=True)


class ConfinementError(OSError):
    """A step of the confinement failed: the worker must not run student code."""


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise ConfinementError(number, f"{what}: {os.strerror(number)}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def enter_namespaces() -> None:
    """Move this (single-threaded, freshly forked) process into new namespaces; its next fork
    is PID 1 of the new PID namespace. The uid and gid stay what they were (65534)."""
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(NAMESPACES), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(_libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                       data.encode() if data else None), f"mount {target}")


def _tmpfs(target: str, size_bytes: int, inodes: int, mode: str = "0700") -> None:
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={size_bytes},nr_inodes={inodes},mode={mode}")


def _hide_outside_processes() -> None:
    """Cover /proc/PID of every process outside this PID namespace (bubblewrap's init, the
    zygote, this worker's parent), and /proc/TID of each of their threads, with an empty
    read-only folder. /proc belongs to the sandbox's PID namespace and a fresh one cannot be
    mounted over bubblewrap's (the kernel refuses a proc that would reveal what bubblewrap
    covered), so the worker would still list them; it could read no more than their command
    line and status, but it need not see them."""
    mine = os.readlink("/proc/self")  # its pid in /proc's namespace, where it is not PID 1
    outside = set()
    for name in os.listdir("/proc"):
        if name.isdigit() and name != mine:
            outside.add(name)
            try:  # a thread's /proc/TID opens by path though /proc does not list it
                outside.update(os.listdir(f"/proc/{name}/task"))
            except OSError:
                pass
    outside.discard(mine)
    for name in sorted(outside, key=int):
        try:
            _mount("tmpfs", f"/proc/{name}", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   "size=4096,nr_inodes=1,mode=0555")
        except ConfinementError as error:
            if error.errno != errno.ENOENT:  # it may just have exited
                raise


MS_REMOUNT = 32
MS_BIND = 4096
MS_MOVE = 8192
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24


def _read_only(target: str) -> None:
    """Remount ``target`` read-only, keeping the flags it has (a nested namespace may not
    clear the ones its parent set)."""
    flag = os.statvfs(target).f_flag
    kept = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC,
            os.ST_NOATIME: MS_NOATIME, os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY
    for statvfs_flag, mount_flag in kept.items():
        if flag & statvfs_flag:
            flags |= mount_flag
    _check(_libc.mount(None, target.encode(), None, flags, None), f"read-only {target}")


def drop_capabilities() -> None:
    """Give up every capability in this user namespace, for good (the uid is not 0 here, so an
    exec regains none): the mounts above can no longer be undone, nor new ones made."""
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header = Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (Data * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


# keyctl(2) has no libc wrapper: its system-call number, by architecture.
_SYS_KEYCTL = {"x86_64": 250, "aarch64": 219, "arm64": 219}
KEYCTL_JOIN_SESSION_KEYRING = 1


def _new_session_keyring() -> None:
    """A new, empty session keyring: the zygote's would otherwise be shared by reference with
    every child, a place to leave keys for the next one. Where keyctl is refused (a container's
    seccomp profile), there is no keyring to share either."""
    import platform

    number = _SYS_KEYCTL.get(platform.machine())
    if number is not None:
        _libc.syscall(number, KEYCTL_JOIN_SESSION_KEYRING, None)


def _mounts_under(folder: str) -> list[str]:
    """The mount points strictly under ``folder``, outermost only (a recursive bind takes the
    rest): bubblewrap binds the Python installation where it lives, which may be under /tmp."""
    points = []
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            point = line.split()[4].replace("\\040", " ")
            if point.startswith(folder.rstrip("/") + "/"):
                points.append(point)
    return [p for p in sorted(set(points)) if not any(p.startswith(q + "/") for q in points if q != p)]


def _private_tmp(staging: str, size_bytes: int) -> None:
    """A fresh capped tmpfs at /tmp that keeps what is mounted under the old one: the tmpfs is
    made at ``staging`` (an empty mount point), the old /tmp's mounts are bound into it, and it
    is moved over /tmp in one step."""
    keep = _mounts_under("/tmp")
    _tmpfs(staging, size_bytes, 10_000, "1777")
    for point in keep:
        target = staging + point[len("/tmp"):]
        if os.path.isdir(point):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        _mount(point, target, None, MS_BIND | MS_REC)
    _mount(staging, "/tmp", None, MS_MOVE)


def confine_worker(*, tmp_bytes: int, shm_bytes: int, work_bytes: int, work_files: int) -> None:
    """In PID 1 of the new namespaces: private capped folders, outside processes hidden,
    capabilities dropped. The caller then unpacks the submission into /submission."""
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # its parent in the zygote's namespace waits for it
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    _private_tmp("/submission", tmp_bytes)
    _tmpfs("/dev/shm", shm_bytes, 10_000, "1777")
    _tmpfs("/submission", work_bytes, work_files, "0755")
    _hide_outside_processes()
    # Started by root, the sandbox's uid is root's on the host, which the kernel lets write
    # /proc/sys (kernel.core_pattern among them) without any capability.
    _read_only("/proc")
    _new_session_keyring()


def _pyseccomp():
    """The ``pyseccomp`` module, or None. It looks libseccomp up with ``ctypes.util.find_library``,
    which runs ldconfig or gcc and finds nothing in a sandbox without /etc: the sonames are
    given to it instead (the dynamic loader finds them in the system's library folders)."""
    import ctypes.util
    import sys

    if "pyseccomp" in sys.modules:
        return sys.modules["pyseccomp"]
    original = ctypes.util.find_library
    sonames = {"seccomp": "libseccomp.so.2", "c": "libc.so.6"}
    ctypes.util.find_library = lambda name: sonames.get(name) or original(name)
    try:
        import pyseccomp
    except (ImportError, OSError, RuntimeError):
        return None
    finally:
        ctypes.util.find_library = original
    return pyseccomp


def seccomp_available() -> bool:
    return _pyseccomp() is not None


def install_seccomp() -> bool:
    """Load the filter described in the module docstring; False where libseccomp is missing."""
    seccomp = _pyseccomp()
    if seccomp is None:
        return False
    try:
        refuse = seccomp.ERRNO(errno.EPERM)
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        # The kernel's keyrings: a sandbox started by root is root's on the host, and could
        # otherwise link keys into root's own user keyring, which outlives every sandbox.
        for name in ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
                     "add_key", "keyctl", "request_key",
                     # Memory the watchdog cannot see in any process's resident pages.
                     "memfd_create", "shmget", "msgget", "semget"):
            rules.add_rule(refuse, name)
        # Only the caller itself (pid 0) may be named: prlimit64(pid), setpriority(which, who),
        # sched_setaffinity(pid).
        rules.add_rule(refuse, "prlimit64", seccomp.Arg(0, seccomp.NE, 0))
        rules.add_rule(refuse, "setpriority", seccomp.Arg(1, seccomp.NE, 0))
        rules.add_rule(refuse, "sched_setaffinity", seccomp.Arg(0, seccomp.NE, 0))
        rules.load()
    except (OSError, RuntimeError, ValueError, AttributeError):
        return False
    return True
