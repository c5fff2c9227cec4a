"""Benchmark corpus: CT-like and CR-like images written by pydicom in Explicit VR Little Endian.

usage: make_corpus.py OUTDIR
  ct16/   40 x 512x512, 16 bits allocated, 12 stored (like CT)
  cr16/    4 x 2048x2048, 16 bits allocated, 12 stored (like a chest radiograph)
  us8/    20 x 640x480 RGB 8-bit (like ultrasound) -- for JPEG baseline
"""
import os, sys
import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out = sys.argv[1]
rng = np.random.default_rng(7)


def image(rows, cols, maxval):
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    cy, cx = rows / 2, cols / 2
    body = ((y - cy) ** 2 / (0.42 * rows) ** 2 + (x - cx) ** 2 / (0.45 * cols) ** 2) < 1
    base = np.where(body, 0.55 * maxval, 0.05 * maxval)
    base += 0.2 * maxval * np.sin(x / 23.0) * np.cos(y / 31.0)
    base += rng.normal(0, 0.01 * maxval, size=(rows, cols))
    return np.clip(base, 0, maxval)


def write(path, arr, spp, bits_alloc, bits_stored, photometric):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.PatientName, ds.PatientID, ds.Modality = "Bench^Phantom", "BENCH", "OT"
    ds.Rows, ds.Columns = arr.shape[0], arr.shape[1]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = spp, photometric
    if spp > 1:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits_alloc, bits_stored, bits_stored - 1, 0
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.PixelData = arr.tobytes()
    ds.save_as(path, write_like_original=False)


for name, count, rows, cols in [("ct16", 40, 512, 512), ("cr16", 4, 2048, 2048)]:
    os.makedirs(os.path.join(out, name), exist_ok=True)
    for i in range(count):
        write(os.path.join(out, name, f"{i:03d}.dcm"), image(rows, cols, 4095).astype(np.uint16), 1, 16, 12, "MONOCHROME2")
os.makedirs(os.path.join(out, "us8"), exist_ok=True)
for i in range(20):
    g = image(480, 640, 255)
    rgb = np.stack([g, g[::-1], g[:, ::-1]], axis=-1).astype(np.uint8)
    write(os.path.join(out, "us8", f"{i:03d}.dcm"), rgb, 3, 8, 8, "RGB")
