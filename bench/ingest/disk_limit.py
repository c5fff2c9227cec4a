"""The disk's own limit for an ingest scenario: write + fdatasync of files of the same sizes, in the same folder,
as fast as one process (or PARALLEL processes, each with its share) can, each file synced before the next is written,
plus one folder fsync per file (what a durable receiver must do at the least).

usage: disk_limit.py DIR PARALLEL FILE...    prints seconds
"""
import os
import sys
import time
from multiprocessing import Process

folder, parallel, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
sizes = [os.path.getsize(f) for f in files]
os.makedirs(folder, exist_ok=True)


def writer(index, share):
    data = os.urandom(max(share) if share else 0)
    dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    for k, size in enumerate(share):
        path = os.path.join(folder, f"w{index}-{k}.bin")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        view = memoryview(data)[:size]
        while view:
            view = view[os.write(fd, view):]
        os.fdatasync(fd)
        os.close(fd)
        os.fsync(dfd)
    os.close(dfd)


n = len(sizes)
shares = [sizes[i * n // parallel:(i + 1) * n // parallel] for i in range(parallel)]
t0 = time.monotonic()
procs = [Process(target=writer, args=(i, s)) for i, s in enumerate(shares)]
for p in procs:
    p.start()
for p in procs:
    p.join()
print(f"{time.monotonic() - t0:.3f}")
