"""Writes pydicom's pixel_array for one frame as raw little-endian bytes (the `remotedx pixels` contract).

usage: pixels_ref.py FILE FRAME OUT
Signed data with Bits Stored < Bits Allocated is sign-extended from Bits Stored, unsigned data masked to Bits Stored.
"""
import sys
import numpy as np
import pydicom

ds = pydicom.dcmread(sys.argv[1])
frame = int(sys.argv[2])
arr = ds.pixel_array
nframes = int(getattr(ds, "NumberOfFrames", 1) or 1)
if nframes > 1:
    arr = arr[frame]
bits_alloc, bits_stored = ds.BitsAllocated, ds.BitsStored
if bits_alloc > 1 and bits_stored < bits_alloc:
    width = bits_alloc
    if ds.PixelRepresentation == 1:
        shift = width - bits_stored
        u = arr.astype(np.int64) & ((1 << bits_stored) - 1)
        arr = np.where(u >= (1 << (bits_stored - 1)), u - (1 << bits_stored), u)
    else:
        arr = arr.astype(np.int64) & ((1 << bits_stored) - 1)
dtype = {1: "u1", 8: "u1", 16: "u2", 32: "u4"}[bits_alloc]
if ds.PixelRepresentation == 1 and bits_alloc > 1:
    dtype = dtype.replace("u", "i")
np.ascontiguousarray(arr.astype("<" + dtype)).tofile(sys.argv[3])
