"""Ingest benchmark corpus, written once by pydicom in Explicit VR Little Endian.

usage: make_corpus.py OUTDIR
  dx/   40 x 2048x2048 DX (For Presentation), 16 bits allocated, 12 stored  (~8 MiB each)
  ct/  200 x 512x512 CT, 16 bits allocated, 12 stored                        (~512 KiB each)
  warm/ 50 x 512x512 CT of another study: the untimed warm-up association every receiver gets first
Each set is one study with one series, as a modality would send it. Sets already written are kept.
"""
import os
import sys

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out = sys.argv[1]
rng = np.random.default_rng(11)

DX = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
CT = "1.2.840.10008.5.1.4.1.1.2"    # CT Image Storage


def phantom(rows, cols, maxval):
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    body = ((y - rows / 2) ** 2 / (0.42 * rows) ** 2 + (x - cols / 2) ** 2 / (0.45 * cols) ** 2) < 1
    base = np.where(body, 0.55 * maxval, 0.05 * maxval).astype(np.float32)
    base += 0.2 * maxval * np.sin(x / 23.0) * np.cos(y / 31.0)
    return base


def write_set(name, sop_class, modality, count, rows, cols):
    d = os.path.join(out, name)
    if os.path.exists(os.path.join(d, f"{count - 1:03d}.dcm")):
        return
    os.makedirs(d, exist_ok=True)
    study, series = generate_uid(), generate_uid()
    base = phantom(rows, cols, 4095)
    for i in range(count):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = sop_class
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.SOPClassUID, ds.SOPInstanceUID = sop_class, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.PatientName, ds.PatientID, ds.Modality = "Bench^Phantom", "BENCH", modality
        ds.StudyDate, ds.InstanceNumber = "20250101", i + 1
        if modality == "DX":
            ds.ViewPosition, ds.BodyPartExamined = "PA", "CHEST"
        ds.Rows, ds.Columns = rows, cols
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        noise = rng.normal(0, 40, size=(rows, cols)).astype(np.float32)
        ds.PixelData = np.clip(base + noise, 0, 4095).astype(np.uint16).tobytes()
        ds.save_as(os.path.join(d, f"{i:03d}.dcm"), write_like_original=False)


write_set("dx", DX, "DX", 40, 2048, 2048)
write_set("ct", CT, "CT", 200, 512, 512)
write_set("warm", CT, "CT", 50, 512, 512)
