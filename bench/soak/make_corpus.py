"""Soak corpus, written once by pydicom in Explicit VR Little Endian.

usage: make_corpus.py OUTDIR [COUNT=50]
  COUNT x 512x512 CT, 16 bits allocated, 12 stored (~512 KiB each), one study, one series.
Every UID (study, series, SOP instance, also in the file meta) starts with the same 18-character stem,
2.25.9 followed by twelve zeros, and all have the same length: fresh_uids.py swaps the twelve zeros for a
sender and pass number byte for byte, so each pass of each sender sends a new study of new instances without
rewriting the files with a DICOM toolkit.
"""
import os
import sys

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
rng = np.random.default_rng(14)
CT = "1.2.840.10008.5.1.4.1.1.2"  # CT Image Storage

os.makedirs(out, exist_ok=True)
y, x = np.mgrid[0:512, 0:512].astype(np.float32)
body = ((y - 256) ** 2 / 215.0 ** 2 + (x - 256) ** 2 / 230.0 ** 2) < 1
base = np.where(body, 0.55 * 4095, 0.05 * 4095).astype(np.float32) + 0.2 * 4095 * np.sin(x / 23.0) * np.cos(y / 31.0)
STEM = "2.25.9" + "0" * 12  # 2.25: a UUID-derived root (PS3.5 B.2); the zeros are the pass field
study, series = STEM + "0000", STEM + "0001"
for i in range(count):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT
    meta.MediaStorageSOPInstanceUID = STEM + f"1{i:03d}"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = CT, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.PatientName, ds.PatientID, ds.Modality = "Soak^Phantom", "SOAK", "CT"
    ds.StudyDate, ds.InstanceNumber = "20250101", i + 1
    ds.Rows, ds.Columns = 512, 512
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    noise = rng.normal(0, 40, size=(512, 512)).astype(np.float32)
    ds.PixelData = np.clip(base + noise, 0, 4095).astype(np.uint16).tobytes()
    ds.save_as(os.path.join(out, f"{i:03d}.dcm"), write_like_original=False)
