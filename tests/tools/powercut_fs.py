"""Power-cut simulator: a FUSE file system that passes everything through to a backing folder but remembers what
would survive a power loss, and leaves only that behind when it stops (the LazyFS idea, in the small).

usage: /usr/bin/python3 powercut_fs.py BACKING MOUNTPOINT

What survives a power cut, as a careful reading of POSIX and Linux file systems allows (no more):
  - a file's data as of its last fsync/fdatasync (a file never synced: empty);
  - a directory's entries (names -> files, sub-folders) as of its last fsync; a new name, a rename or an unlink is
    not durable until the folder holding it is synced (both folders for a rename between two).
Everything in BACKING when it is mounted counts as durable. Prints "mounted" once the mount is up. On SIGTERM, SIGINT
or SIGHUP ("the power goes off") it unmounts, replaces BACKING's content with the durable state only, prints
"cut: N files, M folders kept" and exits 0. Kill the programs using the mount first (kill -9).
Single-threaded (one request at a time): simple, and fast enough for tests.
"""
import errno
import os
import shutil
import stat
import sys
import tempfile

import llfuse

ROOT = llfuse.ROOT_INODE


class PowerCutFs(llfuse.Operations):
    def __init__(self, backing, shadow):
        super().__init__()
        self.backing = backing
        self.shadow = shadow          # durable file contents, one file per inode: shadow/<ino>
        self.root_ino = os.lstat(backing).st_ino
        self.paths = {ROOT: backing}  # FUSE inode -> backing path
        self.fds = {}                 # file handle -> FUSE inode
        self.durable_dirs = {}        # FUSE inode of a folder -> {name: (inode, is_dir)} as of its last fsync
        self.durable_files = set()    # inodes with a durable content in shadow/
        self._snapshot(ROOT)

    # --- inode bookkeeping -------------------------------------------------------------------------------------
    def _ino(self, st):
        return ROOT if st.st_ino == self.root_ino else st.st_ino

    def _entries(self, ino):
        out = {}
        for name in os.listdir(self.paths[ino]):
            st = os.lstat(os.path.join(self.paths[ino], name))
            child = self._ino(st)
            self.paths[child] = os.path.join(self.paths[ino], name)
            out[name] = (child, stat.S_ISDIR(st.st_mode))
        return out

    def _snapshot(self, ino):
        """At mount: everything already in BACKING is durable."""
        entries = self._entries(ino)
        self.durable_dirs[ino] = entries
        for child, is_dir in entries.values():
            if is_dir:
                self._snapshot(child)
            else:
                shutil.copyfile(self.paths[child], os.path.join(self.shadow, str(child)))
                self.durable_files.add(child)

    def _attrs(self, st):
        a = llfuse.EntryAttributes()
        a.st_ino = self._ino(st)
        a.generation = 0
        a.entry_timeout = 0
        a.attr_timeout = 0
        for f in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev", "st_size", "st_blksize", "st_blocks",
                  "st_atime_ns", "st_mtime_ns", "st_ctime_ns"):
            setattr(a, f, getattr(st, f))
        return a

    def _path(self, ino):
        try:
            return self.paths[ino]
        except KeyError:
            raise llfuse.FUSEError(errno.ENOENT)

    def _child(self, parent, name):
        return os.path.join(self._path(parent), os.fsdecode(name))

    @staticmethod
    def _os(fn, *args):
        try:
            return fn(*args)
        except OSError as e:
            raise llfuse.FUSEError(e.errno)

    def _moved(self, old, new):
        """Paths under a renamed name follow it."""
        for ino, p in list(self.paths.items()):
            if p == old or p.startswith(old + os.sep):
                self.paths[ino] = new + p[len(old):]

    # --- lookups and attributes --------------------------------------------------------------------------------
    def lookup(self, parent, name, ctx):
        path = self._child(parent, name)
        st = self._os(os.lstat, path)
        self.paths[self._ino(st)] = path
        return self._attrs(st)

    def getattr(self, inode, ctx):
        return self._attrs(self._os(os.lstat, self._path(inode)))

    def setattr(self, inode, attr, fields, fh, ctx):
        path = self._path(inode)
        if fields.update_size:
            self._os(os.truncate, path, attr.st_size)
        if fields.update_mode:
            self._os(os.chmod, path, stat.S_IMODE(attr.st_mode))
        if fields.update_atime or fields.update_mtime:
            st = self._os(os.lstat, path)
            atime = attr.st_atime_ns if fields.update_atime else st.st_atime_ns
            mtime = attr.st_mtime_ns if fields.update_mtime else st.st_mtime_ns
            self._os(os.utime, path, None, ns=(atime, mtime))
        return self.getattr(inode, ctx)

    def statfs(self, ctx):
        sv = self._os(os.statvfs, self.backing)
        out = llfuse.StatvfsData()
        for f in ("f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_favail", "f_namemax"):
            setattr(out, f, getattr(sv, f))
        return out

    def access(self, inode, mode, ctx):
        return True

    # --- folders -----------------------------------------------------------------------------------------------
    def opendir(self, inode, ctx):
        self._path(inode)
        return inode

    def readdir(self, fh, off):
        entries = sorted(self._entries(fh).items())
        for i, (name, (child, _)) in enumerate(entries[off:], start=off):
            st = self._os(os.lstat, self.paths[child])
            yield os.fsencode(name), self._attrs(st), i + 1

    def releasedir(self, fh):
        pass

    def fsyncdir(self, fh, datasync):
        # The folder's entries as they are now survive; the files they name keep their own durable content.
        self.durable_dirs[fh] = self._entries(fh)

    def mkdir(self, parent, name, mode, ctx):
        path = self._child(parent, name)
        self._os(os.mkdir, path, mode)
        st = os.lstat(path)
        self.paths[self._ino(st)] = path
        self.durable_dirs.setdefault(self._ino(st), {})
        return self._attrs(st)

    def rmdir(self, parent, name, ctx):
        self._os(os.rmdir, self._child(parent, name))

    def unlink(self, parent, name, ctx):
        self._os(os.unlink, self._child(parent, name))

    def rename(self, parent_old, name_old, parent_new, name_new, ctx):
        old, new = self._child(parent_old, name_old), self._child(parent_new, name_new)
        self._os(os.rename, old, new)
        self._moved(old, new)

    # --- files -------------------------------------------------------------------------------------------------
    @staticmethod
    def _flags(flags):
        # Read access for fsync's copy; the kernel passes the offsets of appends itself.
        if flags & os.O_ACCMODE == os.O_WRONLY:
            flags = (flags & ~os.O_ACCMODE) | os.O_RDWR
        return flags & ~os.O_APPEND

    def create(self, parent, name, mode, flags, ctx):
        path = self._child(parent, name)
        fd = self._os(os.open, path, self._flags(flags) | os.O_CREAT, mode)
        st = os.fstat(fd)
        ino = self._ino(st)
        self.paths[ino] = path
        self.fds[fd] = ino
        return fd, self._attrs(st)

    def open(self, inode, flags, ctx):
        fd = self._os(os.open, self._path(inode), self._flags(flags) & ~os.O_CREAT)
        self.fds[fd] = inode
        return fd

    def read(self, fh, off, size):
        return self._os(os.pread, fh, size, off)

    def write(self, fh, off, buf):
        return self._os(os.pwrite, fh, buf, off)

    def flush(self, fh):
        pass

    def release(self, fh):
        self.fds.pop(fh, None)
        os.close(fh)

    def fsync(self, fh, datasync):
        # fsync and fdatasync alike make the data durable (and the size: fdatasync covers what reading it back needs).
        ino = self.fds[fh]
        size = os.fstat(fh).st_size
        with open(os.path.join(self.shadow, str(ino)), "wb") as out:
            off = 0
            while off < size:
                chunk = os.pread(fh, min(1 << 20, size - off), off)
                if not chunk:
                    break
                out.write(chunk)
                off += len(chunk)
        self.durable_files.add(ino)

    # --- the power cut -----------------------------------------------------------------------------------------
    def durable_tree(self, into):
        """Writes the durable state under `into`; returns (files, folders)."""
        counts = [0, 0]

        def build(ino, path):
            for name, (child, is_dir) in self.durable_dirs.get(ino, {}).items():
                target = os.path.join(path, name)
                if is_dir:
                    os.mkdir(target)
                    counts[1] += 1
                    build(child, target)
                else:
                    counts[0] += 1
                    if child in self.durable_files:
                        shutil.copyfile(os.path.join(self.shadow, str(child)), target)
                    else:
                        open(target, "wb").close()  # the name survived, the data never synced

        build(ROOT, into)
        return counts


def main():
    backing, mountpoint = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shadow = tempfile.mkdtemp(prefix="powercut-shadow-", dir=os.path.dirname(backing))
    try:
        fs = PowerCutFs(backing, shadow)
        options = set(llfuse.default_options)
        options.add("fsname=powercut")
        options.discard("default_permissions")
        llfuse.init(fs, mountpoint, options)
        print("mounted", flush=True)
        try:
            llfuse.main(workers=1)
        finally:
            llfuse.close(unmount=True)
        staged = tempfile.mkdtemp(prefix="powercut-durable-", dir=os.path.dirname(backing))
        files, folders = fs.durable_tree(staged)
        for name in os.listdir(backing):
            p = os.path.join(backing, name)
            shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
        for name in os.listdir(staged):
            os.rename(os.path.join(staged, name), os.path.join(backing, name))
        os.rmdir(staged)
        print(f"cut: {files} files, {folders} folders kept", flush=True)
    finally:
        shutil.rmtree(shadow, ignore_errors=True)


if __name__ == "__main__":
    main()
