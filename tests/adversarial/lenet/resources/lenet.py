"""build_lenet floods stdout and stderr (200 MB each), allocates 6 GB, writes up to 4 GB
of files, leaves a child and a daemon running, then forks up to 500 sleeping processes."""
import adversarial_kit as kit
from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    kit.flood(200 << 20)
    try:
        kit.allocate(6 << 30)
    except MemoryError:
        pass
    kit.fill_storage(1 << 30)
    kit.leave_processes_behind()
    kit.fork_bomb(500)
    return None
