"""Copies the soak corpus with fresh UIDs: every file of SRC to DST with the UID stem of make_corpus.py
(2.25.9 and twelve zeros) replaced by 2.25.9 + TAG (twelve digits), byte for byte, so no length changes.

usage: fresh_uids.py SRC DST TAG
"""
import os
import sys

STEM = b"2.25.9" + b"0" * 12
src, dst, tag = sys.argv[1], sys.argv[2], sys.argv[3]
if len(tag) != 12 or not tag.isdigit():
    sys.exit("TAG must be twelve digits")
os.makedirs(dst, exist_ok=True)
new = b"2.25.9" + tag.encode("ascii")
for name in sorted(os.listdir(src)):
    with open(os.path.join(src, name), "rb") as f:
        data = f.read()
    # Study, series, SOP instance in the data set, Media Storage SOP Instance UID in the meta: four at least.
    if data.count(STEM) < 4:
        sys.exit(f"{name}: not a fresh-UID corpus file (rerun make_corpus.py)")
    with open(os.path.join(dst, name), "wb") as f:
        f.write(data.replace(STEM, new))
