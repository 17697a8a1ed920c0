"""The kernel check: which library each non-delegated operator needs, and the apps' runtimes kept in step."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from mobilekit.export.kernels import APP_KERNEL_LIBRARIES, check_program, library_of, program_operators

ROOT = Path(__file__).resolve().parents[2]


def _program(*ops):
    plan = SimpleNamespace(operators=[SimpleNamespace(name=n, overload=o) for n, o in ops])
    return SimpleNamespace(execution_plan=[plan])


def test_library_of_names_the_kernel_library():
    assert library_of("aten::embedding.out") == "portable"
    assert library_of("quantized_decomposed::embedding_byte.out") == "quantized"
    assert library_of("torchao::dequantize_affine") == "torchao (not in the apps)"


def test_a_quantized_embedding_passes_and_an_unfused_torchao_op_is_caught():
    ok = check_program(_program(("aten::embedding", "out"), ("quantized_decomposed::embedding_byte", "out")))
    assert ok.ok and ok.missing_python == [] and ok.operators == ["aten::embedding.out", "quantized_decomposed::embedding_byte.out"]
    bad = check_program(_program(("torchao::dequantize_affine", "out")))
    assert not bad.ok
    assert bad.missing_python == ["torchao::dequantize_affine.out"]
    assert bad.missing_apps == {"android": ["torchao::dequantize_affine.out"], "ios": ["torchao::dequantize_affine.out"]}
    assert program_operators(_program(("aten::add", ""))) == ["aten::add"]


def test_the_ios_app_links_every_kernel_library_the_table_claims():
    products = set(re.findall(r"product:\s*(\w+)", (ROOT / "ios" / "project.yml").read_text()))
    names = {"optimized": "kernels_optimized", "quantized": "kernels_quantized"}
    for lib in APP_KERNEL_LIBRARIES["ios"]:
        if lib != "portable":  # the executorch product carries the portable kernels
            assert names[lib] in products, f"ios/project.yml does not link {names[lib]}"
    assert "executorch" in products and "backend_xnnpack" in products


def test_the_android_app_links_the_full_executorch_aar():
    gradle = (ROOT / "android" / "app" / "build.gradle").read_text()
    # org.pytorch:executorch-android bundles the portable, optimized and quantized kernels with XNNPACK
    assert 'implementation "org.pytorch:executorch-android:${executorchVersion}"' in gradle
    assert set(APP_KERNEL_LIBRARIES["android"]) == {"portable", "optimized", "quantized"}
