"""Writes a large native multi-frame DX instance without holding it in memory: the header through pydicom, then
(7FE0,0010) OW streamed frame by frame. Usage: make_big.py OUT.dcm [FRAMES] [SIZE] [SEED]"""
import struct
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out = sys.argv[1]
frames = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
size = int(sys.argv[3]) if len(sys.argv) > 3 else 512
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1

meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.StudyInstanceUID = generate_uid()
ds.SeriesInstanceUID = generate_uid()
ds.PatientID = f"BIG{seed}"
ds.PatientName = "Bench^Big"
ds.StudyDate = "20261206"
ds.AccessionNumber = f"BIG{seed}"
ds.Modality = "DX"
ds.BodyPartExamined = "CHEST"
ds.ViewPosition = "PA"
ds.Rows = ds.Columns = size
ds.NumberOfFrames = frames
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
ds.WindowCenter, ds.WindowWidth = 2048, 4096
ds.is_little_endian, ds.is_implicit_VR = True, False
ds.save_as(out, write_like_original=False)

frame_bytes = size * size * 2
total = frame_bytes * frames
assert total < 2**32 - 1, "Pixel Data longer than a 32-bit length"
y, x = np.mgrid[0:size, 0:size]
base = ((x + y) * 4095 // (2 * size - 2)).astype("<u2")
with open(out, "ab") as f:
    f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, total))
    for k in range(frames):
        # Each frame differs (a moving band), so a wrong offset shows in the rendered image.
        frame = base.copy()
        row = k % size
        frame[row:row + 8, :] = 4095
        f.write(frame.tobytes())
