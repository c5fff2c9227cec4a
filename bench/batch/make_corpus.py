#!/usr/bin/python3
"""Writes N 2048×2048 12-bit chest-radiograph-like DX images (uncompressed, explicit VR little endian) with pydicom and
numpy: smooth anatomy-like structure, a few bright blobs and noise, different per file.

    /usr/bin/python3 bench/batch/make_corpus.py OUTDIR N [--size 2048]

Stand-in for `remotedx phantoms --size 2048` until the phantom generator is on main."""
import argparse
import os

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid


def image(size, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    lungs = np.exp(-(((x - 0.32) / 0.16) ** 2 + ((y - 0.5) / 0.3) ** 2)) + np.exp(-(((x - 0.68) / 0.16) ** 2 + ((y - 0.5) / 0.3) ** 2))
    body = np.exp(-(((x - 0.5) / 0.45) ** 6 + ((y - 0.55) / 0.5) ** 6))
    img = 0.15 + 0.55 * body - 0.35 * lungs
    for _ in range(rng.integers(1, 4)):
        cx, cy, r = rng.uniform(0.25, 0.75), rng.uniform(0.3, 0.7), rng.uniform(0.01, 0.05)
        img += 0.2 * np.exp(-(((x - cx) ** 2 + (y - cy) ** 2) / r ** 2))
    img += rng.normal(0, 0.02, img.shape).astype(np.float32)
    return np.clip(img * 4095, 0, 4095).astype(np.uint16)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("n", type=int)
    ap.add_argument("--size", type=int, default=2048)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    study = generate_uid()
    for i in range(a.n):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = generate_uid()
        ds.Modality, ds.BodyPartExamined, ds.ViewPosition = "DX", "CHEST", "PA"
        ds.Rows = ds.Columns = a.size
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.PixelData = image(a.size, i).tobytes()
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(os.path.join(a.outdir, f"img{i:04d}.dcm"), write_like_original=False)


if __name__ == "__main__":
    main()
