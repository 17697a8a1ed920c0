"""Calibration data for static quantization: image folders, ``.npy``/``.pt`` tensors, or the model's own data.

Every source yields samples shaped exactly like the model's example inputs (the exported batch size),
because ``torch.export`` specialises the batch dimension. Unreadable files are skipped with a warning
that names them; no usable sample at all is an error.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path
from typing import Iterable

import numpy as np
import torch

from mobilekit.export.errors import DataError, ExportError
from mobilekit.export.loading import batch_size
from mobilekit.export.spec import DTYPE_NAMES, ImagePreprocess, LoadedModel, Sample
from mobilekit.export.text import TEXT_SUFFIXES

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}


# Array names a tensor file may use for the inputs and for the labels (.npz keys, .pt dict keys).
INPUT_KEYS = ("inputs", "x", "input")
LABEL_KEYS = ("labels", "y", "label")


class CalibrationWarning(UserWarning):
    """A calibration file was skipped (the message names it)."""


def check_finite(t: torch.Tensor, what: str, source, allow_inf: bool = False) -> torch.Tensor:
    """Refuse NaN and infinity in a tensor read from a user's file (the one finiteness check of mobilekit).

    Observers, histograms and SQNR all break on a single NaN (``torch.histc: range of [nan, nan] is not
    finite``), and a NaN reference scores nothing; the message names the file and the first bad index.
    ``allow_inf``: a model buffer or constant may hold -inf on purpose (an additive attention mask); NaN never."""
    if t.dtype.is_floating_point or t.is_complex():
        bad = torch.isnan(t) if allow_inf else ~torch.isfinite(t)
        if bool(bad.any()):
            kinds = " and ".join(k for k, m in (("NaN", torch.isnan(t)), ("infinity", torch.isinf(t))) if bool(m.any()))
            first = [int(i) for i in bad.nonzero()[0]]
            raise DataError(
                f"{what} from {source} hold {int(bad.sum())} non-finite value(s) ({kinds}); the first is at index {first}.",
                hint="Fix or drop those samples (np.isfinite(x).all() must be true), then run the export again.",
            )
    return t


def runtime_ready(t: torch.Tensor) -> torch.Tensor:
    """``t`` as a C-contiguous tensor with storage offset 0 that owns its memory.

    ExecuTorch's ``Method.execute`` reads a tensor's raw memory and ignores its strides, so a Fortran-ordered,
    transposed or channels-last array (or a slice into a bigger buffer) would silently run on scrambled values."""
    if t.is_contiguous() and t.storage_offset() == 0 and t.untyped_storage().nbytes() == t.numel() * t.element_size():
        return t
    return t.clone(memory_format=torch.contiguous_format)


def user_sample(sample, what: str, source) -> Sample:
    """A sample (tuple of tensors) from the user: every tensor finite and runtime-ready."""
    return tuple(runtime_ready(check_finite(t, what, source)) for t in sample)


def checked_labels(model: LoadedModel, labels, source) -> list[int]:
    """Class labels from ``--eval`` as ints, refused when they are not whole numbers or fall outside the model's
    classes (an accuracy against labels 99 and -1 for 5 classes would be a silent 0.0)."""
    arr = np.asarray(labels).reshape(-1)
    if arr.size and not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.bool_)):
        if not np.issubdtype(arr.dtype, np.floating) or not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise DataError(f"The labels in {source} are not whole class numbers (dtype {arr.dtype}, e.g. {arr[:3].tolist()}).",
                            hint="Labels are class indices 0..N-1, one per sample.")
    out = [int(v) for v in arr]
    first = model.outputs[0] if model.outputs else None
    classes = int(first.shape[-1]) if first is not None and first.kind == "classification" and first.shape else None
    if model.labels:
        classes = len(model.labels) if classes is None else classes
    if classes and out:
        bad = sorted({v for v in out if v < 0 or v >= classes})
        if bad:
            shown = ", ".join(str(v) for v in bad[:6]) + (" ..." if len(bad) > 6 else "")
            raise DataError(
                f"The labels in {source} include {shown}, outside {model.name}'s {classes} classes (0-{classes - 1}); "
                "an accuracy against them would mean nothing.",
                hint="Labels are class indices 0..N-1 in the order of the model's outputs (see labels.txt of a bundle).",
            )
    return out


def load_calibration(model: LoadedModel, source: Path | Iterable[Sample] | None, count: int, seed: int = 0) -> list[Sample]:
    """Up to ``count`` calibration samples for ``model`` from ``source`` (seeded choice when there are more)."""
    if source is None:
        if model.calibration is None:
            raise ExportError(
                f"Static INT8 quantization of {model.name} needs calibration data, and none was given.",
                hint="Pass --calibration with an image folder, or a .npy/.pt file of input tensors "
                "shaped like the example input (N x ...). FP32 artifacts do not need it.",
            )
        samples = model.calibration(count, seed)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if path.is_dir():
            samples = _from_image_folder(model, path, count, seed)
        elif not path.exists():
            raise DataError(f"Calibration source {path} does not exist.")
        elif path.suffix in TEXT_SUFFIXES:
            samples = _seeded_pick(from_sentences(model, path), count, seed)
        elif path.suffix == ".npz" or (path.suffix in (".pt", ".pth") and len(model.inputs) > 1):
            samples = _seeded_pick(read_multi_input(model, path, "Calibration data")[0], count, seed)
        elif path.suffix in (".npy", ".pt", ".pth"):
            samples = _from_tensor_file(model, path, count, seed)
        else:
            raise DataError(
                f"Calibration source {path} is not a folder of images, a .npy/.npz/.pt tensor file or a .txt of sentences.",
            )
    else:
        samples = [user_sample(tuple(s) if isinstance(s, (tuple, list)) else (s,), "Calibration samples", "the Python iterable")
                   for s in source][:count]
    if not samples:
        raise DataError(f"No usable calibration samples came from {source}.")
    _check_shapes(model, samples, source)
    return samples


def split_tuning(samples: list[Sample]) -> tuple[list[Sample], list[Sample]]:
    """(calibration, tuning): the last fifth (at least 4) held back for the choices the pipeline makes itself;
    under 20 samples there is too little to split, and both are all of them."""
    n_tune = max(4, len(samples) // 5) if len(samples) >= 20 else 0
    if not n_tune:
        return list(samples), list(samples)
    return samples[:-n_tune], samples[-n_tune:]


def from_sentences(model: LoadedModel, path: Path) -> list[Sample]:
    """A text file of sentences -> samples, through the model's tokenizer (``--tokenizer`` or the built-in's)."""
    from mobilekit.export.text import encode, read_sentences

    if model.tokenizer is None:
        raise DataError(
            f"{path} holds sentences, but {model.name} has no tokenizer to turn them into its inputs.",
            hint="Pass --tokenizer DIR (a folder with tokenizer.json and vocab.txt), or give a .npz with one array per input.",
        )
    return [user_sample(s, "Tokenized sentences", path) for s in encode(model.tokenizer, read_sentences(path), model.inputs,
                                                                      model.example_inputs)]


def read_multi_input(model: LoadedModel, path: Path, what: str) -> tuple[list[Sample], "np.ndarray | None"]:
    """``.npz`` (one array per input, by input name or in order; optional ``labels``) or ``.pt`` (a dict by
    name, or a tuple/list with one tensor per input) -> samples at the exported batch size, and labels."""
    names = [i.name for i in model.inputs]
    labels = None
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.keys()}
        else:
            data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise DataError(f"Cannot read {what.lower()} from {path} (corrupt or not a tensor file): {exc}") from exc
    if isinstance(data, dict):
        data = dict(data)
        for key in LABEL_KEYS:
            if key in data:
                labels = np.asarray(data.pop(key))
                break
        if all(n in data for n in names):
            arrays = [data[n] for n in names]
        elif len(names) == 1 and any(k in data for k in INPUT_KEYS):
            arrays = [next(data[k] for k in INPUT_KEYS if k in data)]
        elif len(data) == len(names):
            arrays = list(data.values())  # in order (np.savez's arr_0, arr_1, ...)
        else:
            raise DataError(
                f"{path} holds arrays {sorted(data)}; {model.name} has inputs {names}.",
                hint="Name one array per model input (np.savez(path, " + ", ".join(f"{n}=..." for n in names) + ")), or give them in order.",
            )
    elif isinstance(data, (tuple, list)) and len(data) == len(names):
        arrays = list(data)
    else:
        raise DataError(f"{path} holds a {type(data).__name__}; expected one array per input ({', '.join(names)}).")
    try:
        tensors = [torch.as_tensor(np.asarray(a)) if not isinstance(a, torch.Tensor) else a for a in arrays]
    except (TypeError, ValueError, RuntimeError) as exc:
        raise DataError(f"{what} in {path} are not numeric arrays: {exc}") from None
    counts = {int(t.shape[0]) for t in tensors}
    if len(counts) != 1:
        raise DataError(f"{what} in {path}: the inputs hold different numbers of samples ({sorted(counts)}).")
    if labels is not None and len(labels) != counts.copy().pop():
        raise DataError(f"{path} holds {counts.copy().pop()} samples but {len(labels)} labels; they must match one to one.")
    per_input = [_split_batches(model, t, path, what, index=i) for i, t in enumerate(tensors)]
    samples = [tuple(parts) for parts in zip(*per_input)]
    return samples, labels


def _check_shapes(model: LoadedModel, samples: list[Sample], source) -> None:
    want = [tuple(t.shape) for t in model.example_inputs]
    for s in samples[:1]:
        got = [tuple(t.shape) for t in s]
        if got != want:
            raise DataError(
                f"Calibration samples from {source} have shape {got}, but {model.name} was exported at {want}.",
                hint="torch.export fixes the batch size: give samples at the example input's shape (or export with --dynamic-batch).",
            )


def default_preprocess(model: LoadedModel) -> ImagePreprocess:
    """The manifest's preprocess for input 0, or a plain [0, 1] scaling when the model declared none."""
    spec = model.inputs[0]
    if spec.preprocess is not None:
        return spec.preprocess
    if len(spec.shape) != 4 or spec.shape[1] not in (1, 3):
        raise DataError(
            f"An image folder cannot calibrate {model.name}: its input {spec.name} has shape {list(spec.shape)}, not N x 1|3 x H x W.",
            hint="Pass a .npy or .pt file of input tensors instead.",
        )
    h, w = spec.shape[2], spec.shape[3]
    color = "L" if spec.shape[1] == 1 else "RGB"
    warnings.warn(
        f"{model.name} declares no image preprocessing; calibrating with pixels scaled to [0, 1], resized to {h}x{w}.",
        CalibrationWarning,
        stacklevel=3,
    )
    return ImagePreprocess(color=color, resize=(h, w), scale=1 / 255, mean=(0.0,), std=(1.0,))


def _from_image_folder(model: LoadedModel, folder: Path, count: int, seed: int) -> list[Sample]:
    from PIL import Image, UnidentifiedImageError

    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(
            f"The calibration folder {folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}).",
            hint="Point --calibration at a folder of representative input pictures (100-500 is typical).",
        )
    if len(model.inputs) != 1:
        raise DataError(f"An image folder can calibrate single-input models only; {model.name} has {len(model.inputs)} inputs.")
    prep = default_preprocess(model)
    rng = random.Random(seed)
    rng.shuffle(files)
    batch = batch_size(model)
    dtype = model.example_inputs[0].dtype
    arrays: list[np.ndarray] = []
    skipped: list[str] = []
    for path in files:
        if len(arrays) >= count * batch:
            break
        try:
            with Image.open(path) as img:
                arrays.append(prep.apply(img))
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            skipped.append(f"{path} ({type(exc).__name__})")
    if skipped:
        warnings.warn(
            f"Skipped {len(skipped)} unreadable calibration file(s): {'; '.join(skipped[:10])}"
            + (" ..." if len(skipped) > 10 else ""),
            CalibrationWarning,
            stacklevel=3,
        )
    if len(arrays) < batch:
        raise DataError(
            f"No usable calibration images in {folder}: {len(skipped)} file(s) could not be read.",
            hint="Check that the files are real images Pillow can open.",
        )
    usable = len(arrays) - len(arrays) % batch
    return [
        user_sample((torch.from_numpy(np.stack(arrays[i : i + batch])).to(dtype),), "Calibration images", folder)
        for i in range(0, usable, batch)
    ]


def _from_tensor_file(model: LoadedModel, path: Path, count: int, seed: int) -> list[Sample]:
    try:
        if path.suffix == ".npy":
            data = torch.from_numpy(np.load(path, allow_pickle=False))
        else:
            data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise DataError(f"Cannot read calibration tensors from {path} (corrupt or not a tensor file): {exc}") from exc
    if not isinstance(data, torch.Tensor):
        raise DataError(f"{path} holds a {type(data).__name__}; expected one tensor of N samples.")
    if len(model.inputs) != 1:
        raise DataError(f"A tensor file can calibrate single-input models only; {model.name} has {len(model.inputs)} inputs.")
    return _seeded_pick(_split_batches(model, data, path, "Calibration tensors"), count, seed)


def _seeded_pick(samples: list[Sample], count: int, seed: int) -> list[Sample]:
    """``count`` of ``samples`` in a seeded random order (the same choice for the same seed)."""
    random.Random(seed).shuffle(samples)
    return samples[:count]


def load_eval_data(model: LoadedModel, path: Path, limit: int) -> "EvalSet":
    """Held-out evaluation data from ``--eval PATH``: an image folder (class sub-folders give labels) or tensors.

    Tensor files: ``.npy`` (inputs only), ``.npz`` with arrays ``inputs``/``x`` and optional
    ``labels``/``y``, or ``.pt`` holding a tensor, a ``(inputs, labels)`` pair or such a dict.
    """
    from mobilekit.export.spec import EvalSet

    path = Path(path)
    if not path.exists():
        raise DataError(f"The evaluation data {path} does not exist.", hint="Pass --eval an image folder or a .npy/.npz/.pt file.")
    if path.is_dir():
        return _eval_from_folder(model, path, limit)
    if path.suffix in TEXT_SUFFIXES:
        from mobilekit.export.text import read_sentences

        samples = from_sentences(model, path)[:limit]
        texts = read_sentences(path)[: len(samples)]
        return EvalSet(samples=samples, texts=texts, description=f"{len(samples)} held-out sentences from {path.name}")
    if path.suffix not in (".npy", ".npz", ".pt", ".pth"):
        raise DataError(f"--eval {path}: expected an image folder, a .npy/.npz/.pt file or a .txt of sentences.")
    batch = batch_size(model)
    if len(model.inputs) > 1 or path.suffix == ".npz":
        # one array per input, by the model's input names, 'inputs'/'x', or in order (README), for any model
        samples, labels = read_multi_input(model, path, "Evaluation data")
    else:
        inputs, labels = _read_tensors_and_labels(path)
        if labels is not None and len(labels) != len(inputs):
            raise DataError(f"{path} holds {len(inputs)} inputs but {len(labels)} labels; they must match one to one.")
        samples = _split_batches(model, inputs, path, "Evaluation tensors")
    n = min(len(samples), limit)
    lab = checked_labels(model, labels[: n * batch], path) if labels is not None else None
    return EvalSet(samples=samples[:n], labels=lab, description=f"{n * batch} held-out samples from {path.name}"
                   + (" with labels" if lab is not None else ""))


def _read_tensors_and_labels(path: Path) -> tuple[torch.Tensor, "np.ndarray | None"]:
    try:
        if path.suffix == ".npy":
            return torch.from_numpy(np.load(path, allow_pickle=False)), None
        data = torch.load(path, map_location="cpu", weights_only=True)
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"Cannot read evaluation data from {path} (corrupt or not a tensor file): {exc}") from exc
    if isinstance(data, torch.Tensor):
        return data, None
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return data[0], np.asarray(data[1])
    if isinstance(data, dict):
        x = next((data[k] for k in INPUT_KEYS if k in data), None)
        y = next((data[k] for k in LABEL_KEYS if k in data), None)
        if isinstance(x, torch.Tensor):
            return x, (np.asarray(y) if y is not None else None)
    raise DataError(f"{path} holds a {type(data).__name__}; expected a tensor, (inputs, labels), or {{'inputs': ..., 'labels': ...}}.")


def _split_batches(model: LoadedModel, data: torch.Tensor, path: Path, what: str = "Tensors", index: int | None = None) -> list:
    """N samples in one tensor -> samples at the exported batch size (an N x B x ... tensor is flattened).

    With ``index`` the tensor is that input's data, and the result is a list of tensors, not samples."""
    if not isinstance(data, torch.Tensor):
        raise DataError(f"{what} in {path} are a {type(data).__name__}, not a tensor of N samples.")
    example = model.example_inputs[index or 0]
    batch = batch_size(model)
    per_sample = tuple(example.shape[1:])
    if tuple(data.shape[1:]) == tuple(example.shape) and data.dim() == example.dim() + 1:
        data = data.reshape(-1, *per_sample)  # N x B x ... -> (N*B) x ...
    if tuple(data.shape[1:]) != per_sample:
        raise DataError(
            f"{what} in {path} have shape {list(data.shape)}; {model.name} needs N x {list(per_sample)} "
            f"({DTYPE_NAMES.get(example.dtype)}).",
        )
    n = data.shape[0] - data.shape[0] % batch
    if n == 0:
        raise DataError(f"{path} holds {data.shape[0]} samples, fewer than the batch size {batch}.")
    if not example.dtype.is_floating_point and data.dtype.is_floating_point:
        name = model.inputs[index or 0].name
        raise DataError(f"{what} for input {name!r} in {path} are {data.dtype}; it takes {example.dtype}.")
    data = check_finite(data.to(example.dtype), what, path)  # float64 -> float32 may overflow to inf
    parts = [runtime_ready(data[i : i + batch]) for i in range(0, n, batch)]
    return parts if index is not None else [(t,) for t in parts]


def _label_index(model: LoadedModel, folder_name: str, position: int) -> tuple[int, str]:
    """A class folder's label index: its number, its name in the model's labels, else its sorted position."""
    if folder_name.isdigit():
        return int(folder_name), "numbered folders"
    if model.labels:
        wanted = folder_name.lower().replace("_", " ")
        for i, label in enumerate(model.labels):
            if label.lower().replace("_", " ") == wanted:
                return i, "folder names matched to the model's labels"
    return position, "class folders in sorted order"


def _eval_from_folder(model: LoadedModel, folder: Path, limit: int) -> "EvalSet":
    from PIL import Image, UnidentifiedImageError

    from mobilekit.export.spec import EvalSet

    if len(model.inputs) != 1:
        raise DataError(f"An image folder can evaluate single-input models only; {model.name} has {len(model.inputs)} inputs.")
    classes = sorted(d for d in folder.iterdir() if d.is_dir() and any(
        p.suffix.lower() in IMAGE_SUFFIXES for p in d.rglob("*") if p.is_file()))
    entries: list[tuple[Path, int | None]] = []
    how = "no labels (images directly in the folder)"
    if classes:
        for pos, d in enumerate(classes):
            index, how = _label_index(model, d.name, pos)
            entries += [(p, index) for p in sorted(d.rglob("*")) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    else:
        entries = [(p, None) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    if not entries:
        raise DataError(f"The evaluation folder {folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}).")
    if batch_size(model) != 1:
        raise DataError("Image-folder evaluation needs a model exported at batch size 1.")
    prep = default_preprocess(model)
    dtype = model.example_inputs[0].dtype
    samples, labels, skipped = [], [], []
    for path, label in entries[:limit]:
        try:
            with Image.open(path) as img:
                arr = prep.apply(img)
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            skipped.append(f"{path} ({type(exc).__name__})")
            continue
        samples.append(user_sample((torch.from_numpy(arr[None]).to(dtype),), "Evaluation images", path))
        labels.append(label)
    if skipped:
        warnings.warn(f"Skipped {len(skipped)} unreadable evaluation file(s): {'; '.join(skipped[:10])}", CalibrationWarning, stacklevel=3)
    if not samples:
        raise DataError(f"No usable evaluation images in {folder}.")
    has_labels = all(v is not None for v in labels)
    return EvalSet(
        samples=samples,
        labels=checked_labels(model, labels, folder) if has_labels else None,
        description=f"{len(samples)} held-out images from {folder.name}/ ({how})",
    )
