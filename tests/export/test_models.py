"""The built-in models: specs, shipped weights, the picture round trip, data determinism, errors."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch
from PIL import Image

from mobilekit import MobilekitError
from mobilekit.export.models import BUILTIN_NAMES, digits, load_builtin, mobilenet_v2
from mobilekit.export.spec import LoadedModel


@pytest.fixture(scope="module")
def digits_model() -> LoadedModel:
    return load_builtin("digits")


@pytest.fixture(scope="module")
def mobilenet_model() -> LoadedModel:
    return load_builtin("mobilenet_v2")


def _top1(net: torch.nn.Module, samples) -> list[int]:
    """Top-1 of each batch-1 sample, run as one batch (same numbers, much faster on a busy machine)."""
    with torch.no_grad():
        return net(torch.cat([s[0] for s in samples])).argmax(1).tolist()


def test_unknown_builtin_lists_the_names():
    with pytest.raises(MobilekitError, match="resnet") as info:
        load_builtin("resnet")
    assert "digits, efficientnet_lite0, mobilenet_v2" in str(info.value)
    assert BUILTIN_NAMES == ("digits", "efficientnet_lite0", "mobilenet_v2", "minilm", "lstm_tagger", "smollm2")


def test_digits_spec_is_consistent(digits_model):
    m = digits_model
    assert m.name == "digits_cnn"
    (inp,) = m.inputs
    (out,) = m.outputs
    assert (inp.name, inp.dtype, inp.shape, inp.layout) == ("image", "float32", (1, 1, 28, 28), "NCHW")
    assert inp.preprocess == digits.PREPROCESS and inp.preprocess.invert and inp.preprocess.color == "L"
    assert (out.name, out.shape, out.kind) == ("logits", (1, 10), "classification")
    assert m.labels == tuple("0123456789")
    assert m.source["model"] == "digits" and m.source["trained"] is True
    assert m.source["weights"] == "digits_cnn.pt" and "held-out" in m.source["description"]
    (x,) = m.example_inputs
    assert x.shape == (1, 1, 28, 28) and x.dtype == torch.float32
    assert not m.module.training
    with torch.no_grad():
        assert m.module(x).shape == (1, 10)


def test_digits_weights_load_safely_and_match_the_facts():
    state = torch.load(digits.WEIGHTS_PATH, map_location="cpu", weights_only=True)
    net = digits.DigitsCNN()
    net.load_state_dict(state)
    facts = digits.training_facts()
    assert facts["weights_sha256"] == hashlib.sha256(digits.WEIGHTS_PATH.read_bytes()).hexdigest()
    assert facts["params"] == digits.param_count(net)
    assert 150_000 <= facts["params"] <= 400_000
    assert facts["split"] == {"stratified": True, "test_fraction": 0.25, "seed": 0, "train": 1347, "test": 450}
    # the weights are most of the file
    assert facts["params"] * 4 / digits.WEIGHTS_PATH.stat().st_size > 0.95


def test_digits_reach_the_recorded_accuracy_on_the_held_out_split(digits_model):
    ev = digits_model.eval_set()
    assert len(ev.samples) == len(ev.labels) == 450
    assert all(s[0].shape == (1, 1, 28, 28) for s in ev.samples)
    acc = float(np.mean(np.array(_top1(digits_model.module, ev.samples)) == np.array(ev.labels)))
    assert acc >= 0.97
    assert acc == pytest.approx(digits.training_facts()["test_accuracy"], abs=1e-6)


def test_split_is_fixed_disjoint_and_stratified():
    split = digits.split_indices()
    train, test = split["train"], split["test"]
    assert (len(train), len(test)) == (1347, 450)
    assert not set(train.tolist()) & set(test.tolist())
    _, all_labels = digits._digits()
    test_counts = np.bincount(all_labels[test], minlength=10)
    assert np.all(np.abs(test_counts - 0.25 * np.bincount(all_labels, minlength=10)) <= 1)


def test_png_round_trip_gives_the_eval_set_predictions(digits_model, tmp_path):
    written = digits.write_digit_images(tmp_path, split="test")
    ev = digits_model.eval_set()
    assert len(written) == len(ev.samples)
    assert written[7][0].name == f"test_0007_label{ev.labels[7]}.png"
    from_png = []
    for (path, label), sample, expected in zip(written, ev.samples, ev.labels):
        assert label == expected
        with Image.open(path) as picture:
            assert picture.mode == "L" and picture.size == (8, 8)
            arr = np.asarray(picture)
            assert arr.max() == 255  # white paper, dark ink
            x = torch.from_numpy(digits.PREPROCESS.apply(picture))[None]
        assert torch.equal(x, sample[0])
        from_png.append((x,))
    assert _top1(digits_model.module, from_png) == _top1(digits_model.module, ev.samples)


def test_digit_picture_is_dark_ink_on_white():
    values = np.zeros((8, 8))
    values[3, 4] = 16
    values[0, 0] = 8
    arr = np.asarray(digits.digit_picture(values))
    assert arr.dtype == np.uint8
    assert arr[3, 4] == 0 and arr[0, 0] == 255 - 128 and arr[7, 7] == 255


def test_digits_calibration_is_deterministic_and_from_the_train_split(digits_model):
    a = digits_model.calibration(16, 3)
    b = digits_model.calibration(16, 3)
    c = digits_model.calibration(16, 4)
    assert all(torch.equal(x[0], y[0]) for x, y in zip(a, b))
    assert not all(torch.equal(x[0], y[0]) for x, y in zip(a, c))
    assert all(len(s) == 1 and s[0].shape == (1, 1, 28, 28) for s in a)
    train_x, _ = digits.split_tensors("train")
    test_x, _ = digits.split_tensors("test")
    for (x,) in a:
        assert (train_x == x).flatten(1).all(1).any()
        assert not (test_x == x).flatten(1).all(1).any()
    with pytest.raises(MobilekitError, match="1347 training pictures"):
        digits_model.calibration(5000, 0)


def test_digits_eval_set_is_deterministic(digits_model):
    a, b = digits_model.eval_set(), digits_model.eval_set()
    assert a.labels == b.labels
    assert all(torch.equal(x[0], y[0]) for x, y in zip(a.samples, b.samples))


def test_unknown_split_is_a_user_error(tmp_path):
    with pytest.raises(MobilekitError, match="Unknown digits split 'val'"):
        digits.write_digit_images(tmp_path, split="val")


@pytest.mark.slow  # importing the ExecuTorch quantizer alone takes ~10 s
def test_digits_quantize_to_static_int8_without_losing_accuracy(digits_model):
    quantizer_mod = pytest.importorskip("executorch.backends.xnnpack.quantizer.xnnpack_quantizer")
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    quantizer = quantizer_mod.XNNPACKQuantizer().set_global(
        quantizer_mod.get_symmetric_quantization_config(is_per_channel=True)
    )
    graph = torch.export.export(digits_model.module, digits_model.example_inputs).module()
    prepared = prepare_pt2e(graph, quantizer)
    for sample in digits_model.calibration(64, 0):
        prepared(*sample)
    quantized = convert_pt2e(prepared)
    ev = digits_model.eval_set()
    with torch.no_grad():  # the exported graph is specialised to batch 1
        top1 = [int(quantized(*s).argmax(1)) for s in ev.samples]
    acc = float(np.mean(np.array(top1) == np.array(ev.labels)))
    assert acc >= 0.97


def test_mobilenet_v2_is_torchvisions_with_the_published_weights(mobilenet_model):
    m = mobilenet_model
    assert m.name == "mobilenet_v2"
    (inp,) = m.inputs
    assert (inp.name, inp.dtype, inp.shape, inp.layout) == ("image", "float32", (1, 3, 224, 224), "NCHW")
    assert inp.preprocess.resize == (256, 256) and inp.preprocess.crop == (224, 224) and inp.preprocess.keep_aspect
    assert inp.preprocess.mean == (0.485, 0.456, 0.406) and inp.preprocess.std == (0.229, 0.224, 0.225)
    assert m.outputs[0].shape == (1, 1000) and len(m.labels) == 1000
    assert m.source["trained"] is True and m.source["weights"] == "mobilenet_v2-b0353104.pth"
    assert sum(p.numel() for p in m.module.parameters()) == 3_504_872
    assert type(m.module).__module__.startswith("torchvision.")
    assert not m.module.training
    state = torch.load(mobilenet_v2.weights_path(), map_location="cpu", weights_only=True)
    assert set(state) == set(m.module.state_dict())  # every key of torchvision's checkpoint, nothing random


def test_mobilenet_v2_recognises_real_photos(mobilenet_model):
    """Trained weights, not a stand-in: the held-out cat photo is a cat, the coffee photo a cup of coffee."""
    from mobilekit.export.models import imagenet, photos

    cats = {281, 282, 283, 284, 285}  # tabby, tiger cat, Persian, Siamese, Egyptian cat
    coffee = {504, 967, 968}  # coffee mug, espresso, cup
    with torch.no_grad():
        for ref, want in (("skimage:chelsea", cats), ("skimage:coffee", coffee)):
            x = torch.from_numpy(imagenet.PREPROCESS.apply(photos.photo(ref)))[None]
            top5 = set(mobilenet_model.module(x).topk(5).indices[0].tolist())
            assert top5 & want, (ref, top5)


def test_mobilenet_v2_data_are_the_photo_splits(mobilenet_model):
    a = mobilenet_model.calibration(3, 0)
    b = mobilenet_model.calibration(3, 0)
    assert all(s[0].shape == (1, 3, 224, 224) for s in a)
    assert all(torch.equal(x[0], y[0]) for x, y in zip(a, b))
    ev = mobilenet_model.eval_set()
    assert len(ev.samples) == 120 and ev.labels is None
    assert not any(torch.equal(ev.samples[0][0], s[0]) for s in a)
