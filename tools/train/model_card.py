#!/usr/bin/python3
"""Writes models/cxr-triage/MODEL_CARD.md from the manifest, training.json (train.py) and the test-set figures
(evaluate.py), so the card never disagrees with what the commands print."""
import json
import os

GRADES = {"1": "mild", "2": "moderate", "3": "severe"}


def write(model_dir, manifest, results, training_path):
    training = json.load(open(training_path)) if os.path.exists(training_path) else None
    t = results["testSet"]
    lines = []
    add = lines.append
    add("# cxr-triage — demonstration chest radiograph triage model")
    add("")
    add("> **Synthetic data only. Not for clinical use.** This model was trained and tested on computer-generated")
    add("> phantoms (`remotedx phantoms`), never on a real radiograph. Its figures below describe how well it separates")
    add("> phantoms, nothing about patients. It exists so RemoteDx can be exercised end to end (ingest, scoring,")
    add("> ranking, STAT, heatmaps) and as a template for a site's own validated model (see docs/models.md).")
    add("")
    add("| | |")
    add("|---|---|")
    add(f"| version | {manifest['version']} |")
    add(f"| sha256 of model.onnx | `{manifest['sha256']}` |")
    add("| input | `image` float32 [N, 1, 192, 192] (dynamic N) |")
    add("| outputs | `logits` [N, 5] (sigmoid), `heatmap` [N, 5, 12, 12] (class-activation maps, logit units) |")
    add("| applies to | Modality CR or DX, BodyPartExamined CHEST, ViewPosition PA or AP, at least 192 x 192 |")
    add("| labels | " + ", ".join(l["name"] for l in manifest["labels"]) + " |")
    if training:
        add(f"| parameters | {training['parameters']:,} |")
        add(f"| framework | PyTorch {training['torch']} (Debian python3-torch), ONNX opset 17 |")
    add("")
    add("## Model")
    add("")
    add("A small all-convolutional network (`tools/train/model.py`): a 5x5 stride-2 stem and six 3x3 conv/BN/ReLU")
    add("layers (three with stride 2) down to a 12 x 12 grid of 96 features, then a 1x1 convolution giving one")
    add("class-activation map per label. Each label's logit is the log-mean-exp of its map (a soft maximum, so a small")
    add("nodule is not averaged away); the maps themselves are exported as `heatmap`, which RemoteDx passes through")
    add("the same sigmoid and shows in the viewer.")
    add("")
    add("Preprocessing is the manifest's, applied by `tools/train/preprocess_ref.py` at training time and by the C#")
    add("engine in service: modality LUT, 0.5-99.5 percentile window, MONOCHROME1 inverted, letterboxed area-resize to")
    add("192 x 192, then (x - 0.5) / 0.25. (The training loader applies preprocess_ref's resize weights as sparse")
    add("matrices for speed and checks parity with preprocess_ref.py on each folder.) Training mirrors half of each")
    add("batch left-right, which no label depends on.")
    add("")
    add("## Data")
    add("")
    add("Every image is a phantom from `src/RemoteDx.Phantoms/`: a chest drawn in millimetres (body outline, lungs")
    add("with vessels and parenchymal texture, heart and mediastinum, trachea, diaphragm domes, ribs, clavicles, spine,")
    add("humeral heads, breast shadows) and exposed through a detector model (positioning, heel effect, scatter,")
    add("collimation, quantum noise, blur, logarithmic 12-bit response; PA and AP; CR and DX; MONOCHROME1 and 2).")
    add("Findings are drawn with a grade (mild, moderate, severe): nodule/mass, consolidation, pleural effusion")
    add("(meniscus, blunted angle), pneumothorax (pleural air without markings, visceral pleural line) and cardiomegaly")
    add("(cardiothoracic ratio above 0.5 on the drawn masks). An abnormal case has one (60 %), two (30 %) or three (10 %)")
    add("findings. Nodules are drawn far denser than real ones (0.06/mm, bone-like) and at least 16 mm across: at")
    add("soft-tissue density and 11 mm the network did not learn them within this compute budget (validation AUC about")
    add("0.55 after 14 epochs, 0.65 after 20 at intermediate density), while the other findings were learned. Images")
    add("are processed with unsharp masking, as DX/CR \"for presentation\" images are.")
    add("")
    add("| set | seed | images | size | abnormal share | use |")
    add("|---|---|---|---|---|---|")
    if training:
        tr, va = training["train"], training["validation"]
        add(f"| train | {tr['seed']} | {tr['count']} | {tr['size']}² | {tr['findingsRate']} | fitting |")
        add(f"| validation | {va['seed']} | {va['count']} | {va['size']}² | {va['findingsRate']} | thresholds |")
    add(f"| test | {t['seed']} | {t['count']} | {t['size']}² | {t['findingsRate']} | the figures below, {t['encodings']} |")
    add("")
    add("## Operating thresholds, urgency and STAT")
    add("")
    add("A label is positive when its probability is at least its threshold. Each threshold is the highest one that")
    add("keeps sensitivity at or above 0.95 on the validation set (0.98 for pneumothorax, the only STAT label), a margin")
    add("so that new data still sees about 0.90 (0.95): a triage tool should rather over-call than miss, and a missed")
    add("pneumothorax costs most. Thresholds belong to this exact")
    add("file: retraining changes the sha256 and the thresholds together.")
    add("")
    add("Urgency weights order the worklist (a study's priority is the largest probability x urgency over its positive")
    add("labels); a positive critical label makes the study STAT.")
    add("")
    add("| label | threshold | urgency | STAT |")
    add("|---|---|---|---|")
    for l in manifest["labels"]:
        add(f"| {l['name']} | {l['threshold']:.4f} | {l['urgency']} | {'yes' if l['critical'] else 'no'} |")
    add("")
    add(f"## Performance on the test set (seed {t['seed']}, never seen in training or threshold selection)")
    add("")
    add("| label | positives | AUC (95 % bootstrap interval) | sensitivity | specificity | sensitivity mild / moderate / severe |")
    add("|---|---|---|---|---|---|")
    for name, r in results["labels"].items():
        g = r["sensitivityByGrade"]
        add(f"| {name} | {r['positives']} | {r['auc']:.3f} ({r['aucLow']:.3f}-{r['aucHigh']:.3f}) | {r['sensitivity']:.3f} | "
            f"{r['specificity']:.3f} | {g['1']:.2f} / {g['2']:.2f} / {g['3']:.2f} |")
    add("")
    if results.get("onnxVsTorchMaxLogitDiff") is not None:
        add(f"Figures computed from `model.onnx` itself (`tools/train/onnx_numpy.py`); the torch checkpoint agrees to "
            f"{results['onnxVsTorchMaxLogitDiff']:.1e} in logits.")
        add("")
    add("## Reproduce")
    add("")
    add("```sh")
    add("tools/train/train.sh            # generate, preprocess, train, export model.onnx + manifest.json, evaluate, write this card")
    add("/usr/bin/python3 tools/train/evaluate.py          # the test-set table above, from model.onnx")
    add("tools/train/make_samples.sh     # sample-dicom/ and the check that this model ranks its abnormal files first")
    add("```")
    add("")
    if training:
        s = training["seconds"]
        add(f"Training run: {s['total']} s wall time on 2 CPU cores (generate {s['generate']} s, preprocess {s['preprocess']} s, "
            f"train {s['train']} s; {training['epochs']} epochs, batch {training['batch']}, AdamW one-cycle lr {training['lr']}, "
            f"torch seed {training['torchSeed']}). Evaluation: {results['seconds']} s. Seeds are fixed, so a rerun on the same machine gives the same model; "
            "another CPU or torch build may differ in the last bits and so in the sha256.")
        add("")
    add("## Limitations")
    add("")
    add("- Phantoms are far simpler than patients: no real disease spectrum, devices, lines, tubes, artefacts, or")
    add("  overlapping pathology as seen clinically. The model will not work on real radiographs; do not try.")
    add("- Labels are exact by construction; real labels are not. Mild findings (small nodules, apical pneumothoraces)")
    add("  are the hardest here too: see the by-grade sensitivity.")
    add("- Lateral views, paediatric chests and non-chest images are outside its scope (the manifest's `appliesTo`")
    add("  keeps them away).")
    add("")
    with open(os.path.join(model_dir, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(lines))
