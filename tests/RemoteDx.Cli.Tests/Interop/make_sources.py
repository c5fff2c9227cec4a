"""Writes the uncompressed source images the interop tests compress with DCMTK and GDCM, using pydicom.

usage: make_sources.py OUTDIR
Each file is Explicit VR Little Endian with deterministic pseudo-random content so codecs see real entropy.
"""
import sys, os
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pydicom.pixel_data_handlers.numpy_handler import pack_bits

out = sys.argv[1]
rng = np.random.default_rng(1234)


def base(rows, cols, spp, bits_alloc, bits_stored, signed, photometric, frames=1, planar=None):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = "Interop^Test"
    ds.PatientID = "IT1"
    ds.Modality = "OT"
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = spp
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits_alloc, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if spp > 1:
        ds.PlanarConfiguration = planar or 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    return ds


def smooth(rows, cols, lo, hi):
    # A gradient plus noise: compressible like an image, not constant.
    y, x = np.mgrid[0:rows, 0:cols]
    g = (x * 3 + y * 5) % (hi - lo + 1)
    n = rng.integers(-20, 21, size=(rows, cols))
    return np.clip(g + lo + n, lo, hi)


def save(name, ds, arr):
    ds.PixelData = arr.tobytes()
    ds.save_as(os.path.join(out, name), write_like_original=False)


# 8-bit grey
ds = base(64, 48, 1, 8, 8, False, "MONOCHROME2")
save("gray8.dcm", ds, smooth(64, 48, 0, 255).astype(np.uint8))
# 12 bits stored in 16, unsigned
ds = base(60, 50, 1, 16, 12, False, "MONOCHROME2")
save("gray12u.dcm", ds, smooth(60, 50, 0, 4095).astype(np.uint16))
# 16-bit unsigned full range
ds = base(40, 40, 1, 16, 16, False, "MONOCHROME2")
save("gray16u.dcm", ds, smooth(40, 40, 0, 65535).astype(np.uint16))
# 16-bit signed
ds = base(40, 36, 1, 16, 16, True, "MONOCHROME2")
save("gray16s.dcm", ds, smooth(40, 36, -32768, 32767).astype(np.int16))
# 12 bits stored, signed (two's complement within 12 bits, high bits sign-extended as pydicom writes them)
ds = base(32, 30, 1, 16, 12, True, "MONOCHROME1")
save("gray12s.dcm", ds, smooth(32, 30, -2048, 2047).astype(np.int16))
# RGB 8-bit, pixel-interleaved and planar
rgb = np.stack([smooth(48, 40, 0, 255), smooth(48, 40, 0, 255)[::-1], smooth(48, 40, 0, 255)[:, ::-1]], axis=-1).astype(np.uint8)
ds = base(48, 40, 3, 8, 8, False, "RGB", planar=0)
save("rgb8.dcm", ds, rgb)
ds = base(48, 40, 3, 8, 8, False, "RGB", planar=1)
save("rgb8planar.dcm", ds, np.ascontiguousarray(rgb.transpose(2, 0, 1)))
# multi-frame 8-bit, 3 frames
frames = np.stack([smooth(32, 32, 0, 255) for _ in range(3)]).astype(np.uint8)
ds = base(32, 32, 1, 8, 8, False, "MONOCHROME2", frames=3)
save("multiframe8.dcm", ds, frames)
# multi-frame 16-bit, 2 frames
frames16 = np.stack([smooth(24, 20, 0, 4095) for _ in range(2)]).astype(np.uint16)
ds = base(24, 20, 1, 16, 12, False, "MONOCHROME2", frames=2)
save("multiframe12.dcm", ds, frames16)
# 1-bit, 2 frames of an odd size so the second frame starts mid-byte
bits = (rng.integers(0, 2, size=(2, 7, 9))).astype(np.uint8)
ds = base(7, 9, 1, 1, 1, False, "MONOCHROME2", frames=2)
ds.PixelData = pack_bits(bits.ravel())
ds.save_as(os.path.join(out, "bits1.dcm"), write_like_original=False)
# 32-bit unsigned
ds = base(16, 12, 1, 32, 32, False, "MONOCHROME2")
save("gray32u.dcm", ds, rng.integers(0, 2**32 - 1, size=(16, 12), dtype=np.uint64).astype(np.uint32))
