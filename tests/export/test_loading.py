"""Loading a user's model: module:factory, weights, example inputs, .pt2, and the errors users hit."""

from __future__ import annotations

import pytest
import torch

from mobilekit.export.config import ExportConfig
from mobilekit.export.errors import ExportError
from mobilekit.export.loading import export_program, load_model, parse_example_input


def test_parse_example_input_shapes_and_dtypes():
    t = parse_example_input("1x3x224x224:float32")
    assert t.shape == (1, 3, 224, 224) and t.dtype == torch.float32
    assert parse_example_input("2x128:int64").dtype == torch.int64
    assert parse_example_input("4x8").dtype == torch.float32


@pytest.mark.parametrize("spec", ["1x3xbanana", "", "1,3,224"])
def test_bad_example_input_explains_the_format(spec):
    with pytest.raises(ExportError, match=r"Write it as SHAPE\[:DTYPE\]"):
        parse_example_input(spec)


def test_unknown_dtype_lists_the_known_ones():
    with pytest.raises(ExportError, match="(?s)Unknown dtype 'float64'.*float32"):
        parse_example_input("1x3:float64")


def test_factory_loads_with_names_from_forward(user_models):
    m = load_model(ExportConfig(model="usermodels:small", example_inputs=("1x3x16x16:float32",)))
    assert m.name == "small"
    assert m.inputs[0].name == "image" and m.inputs[0].shape == (1, 3, 16, 16) and m.inputs[0].layout == "NCHW"
    assert m.outputs[0].name == "logits" and m.outputs[0].shape == (1, 5) and m.outputs[0].kind == "classification"
    assert not m.module.training


def test_module_not_found(user_models):
    with pytest.raises(ExportError, match="(?s)Cannot import module 'nosuchpkg.nets'.*run mobilekit from the folder"):
        load_model(ExportConfig(model="nosuchpkg.nets:make", example_inputs=("1x3:float32",)))


def test_factory_not_found_lists_callables(user_models):
    with pytest.raises(ExportError, match="(?s)has no callable 'smal'.*small"):
        load_model(ExportConfig(model="usermodels:smal", example_inputs=("1x3:float32",)))


def test_factory_raised(user_models):
    with pytest.raises(ExportError, match="factory usermodels:broken raised RuntimeError: weights server unreachable"):
        load_model(ExportConfig(model="usermodels:broken", example_inputs=("1x3:float32",)))


def test_factory_returned_something_else(user_models):
    with pytest.raises(ExportError, match="returned a int, not a torch.nn.Module"):
        load_model(ExportConfig(model="usermodels:not_a_module", example_inputs=("1x3:float32",)))


def test_example_input_does_not_match_the_model(user_models):
    with pytest.raises(ExportError, match=r"(?s)does not accept the example input \(1, 1, 16, 16\):float32.*--example-input"):
        load_model(ExportConfig(model="usermodels:small", example_inputs=("1x1x16x16:float32",)))


def test_missing_example_input(user_models):
    with pytest.raises(ExportError, match="needs an example input"):
        load_model(ExportConfig(model="usermodels:small"))


def test_weights_loaded_with_weights_only(user_models, tmp_path):
    import usermodels

    net = usermodels.small()
    with torch.no_grad():
        net.fc.bias.fill_(3.0)
    torch.save(net.state_dict(), tmp_path / "w.pt")
    m = load_model(ExportConfig(model="usermodels:small", example_inputs=("1x3x8x8:float32",), weights=tmp_path / "w.pt"))
    assert torch.all(m.module.fc.bias == 3.0)
    assert m.source["trained"] is True


def test_weights_that_do_not_fit(user_models, tmp_path):
    torch.save({"other.weight": torch.zeros(2)}, tmp_path / "bad.pt")
    with pytest.raises(ExportError, match="do not fit the model: missing"):
        load_model(ExportConfig(model="usermodels:small", example_inputs=("1x3x8x8:float32",), weights=tmp_path / "bad.pt"))


def test_pickled_weights_are_refused(user_models, tmp_path):
    import pickle

    (tmp_path / "evil.pt").write_bytes(pickle.dumps({"x": object()}))
    with pytest.raises(ExportError, match="weights_only=True"):
        load_model(ExportConfig(model="usermodels:small", example_inputs=("1x3x8x8:float32",), weights=tmp_path / "evil.pt"))


def test_torch_export_failure_names_op_and_user_line(user_models):
    m = load_model(ExportConfig(model="usermodels:data_dependent", example_inputs=("1x4:float32",)))
    with pytest.raises(ExportError) as info:
        export_program(m)
    text = str(info.value)
    assert "torch.export could not capture model data_dependent" in text
    assert "usermodels.py" in text and "x.sum().item()" in text  # the user's own source line
    assert "torch.cond" in text  # and what to do about it


def test_pt2_round_trip(user_models, tmp_path):
    import usermodels

    ep = torch.export.export(usermodels.small().eval(), (torch.randn(1, 3, 8, 8),))
    torch.export.save(ep, tmp_path / "net.pt2")
    m = load_model(ExportConfig(model=str(tmp_path / "net.pt2")))
    assert m.name == "net" and m.inputs[0].shape == (1, 3, 8, 8) and m.outputs[0].shape == (1, 5)


def test_corrupt_pt2_is_named(tmp_path):
    (tmp_path / "junk.pt2").write_bytes(b"not a zip")
    with pytest.raises(ExportError, match=r"junk.pt2 as a torch.export program \(corrupt"):
        load_model(ExportConfig(model=str(tmp_path / "junk.pt2")))


def test_unrecognised_model_reference():
    with pytest.raises(ExportError, match="(?s)Cannot tell what model 'resnet' is.*built-in name"):
        load_model(ExportConfig(model="resnet"))


@pytest.mark.parametrize("batch", [1, 2])
def test_dynamic_batch_export(user_models, batch):
    m = load_model(ExportConfig(model="usermodels:small", example_inputs=(f"{batch}x3x8x8:float32",), dynamic_batch=True))
    ep = export_program(m)
    assert ep.module()(torch.randn(5, 3, 8, 8)).shape == (5, 5)
    assert ep.module()(torch.randn(1, 3, 8, 8)).shape == (1, 5)
