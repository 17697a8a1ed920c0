"""Shared fixtures: small user models written to a temp package, and one digits bundle per session."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

USER_MODELS = textwrap.dedent(
    '''
    import torch

    class Small(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.bn = torch.nn.BatchNorm2d(8)
            self.fc = torch.nn.Linear(8, 5)

        def forward(self, image):
            x = torch.relu(self.bn(self.conv(image)))
            return self.fc(x.mean(dim=(2, 3)))

    def small():
        torch.manual_seed(0)
        return Small()

    def broken():
        raise RuntimeError("weights server unreachable")

    def not_a_module():
        return 42

    class DataDependent(torch.nn.Module):
        def forward(self, x):
            if x.sum().item() > 0:
                return x * 2
            return x - 1

    def data_dependent():
        return DataDependent()
    '''
)


@pytest.fixture()
def module_in_cwd(tmp_path, monkeypatch):
    """``make(name, source)`` writes ``name.py`` into tmp_path, the current directory, importable as ``name``
    (what a user's ``module:factory`` looks like); the modules are forgotten after the test."""
    made = []

    def make(name: str, source: str):
        (tmp_path / f"{name}.py").write_text(source)
        monkeypatch.chdir(tmp_path)
        monkeypatch.syspath_prepend(str(tmp_path))
        sys.modules.pop(name, None)
        made.append(name)
        return tmp_path

    yield make
    for name in made:
        sys.modules.pop(name, None)


@pytest.fixture()
def user_models(module_in_cwd):
    """A module ``usermodels`` importable from the current directory, with good and bad factories."""
    return module_in_cwd("usermodels", USER_MODELS)


@pytest.fixture(scope="session")
def digits_bundle(tmp_path_factory):
    """The digits model exported to ExecuTorch FP32 + INT8 once per session (about 30 s)."""
    from mobilekit.export.config import ExportConfig
    from mobilekit.export.pipeline import export_bundle

    out = tmp_path_factory.mktemp("bundles")
    return export_bundle(ExportConfig(model="digits", out_dir=out, targets=("xnnpack",), latency_iterations=5, latency_warmup=1))
