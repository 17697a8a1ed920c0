package org.mobilekit.demo.core;

import java.io.File;
import java.util.Collections;
import java.util.Map;

/**
 * Opens an artifact with the runtime its manifest entry names ({@code runtime}, never the file name).
 *
 * <p>ExecuTorch ({@code .pte}) and ONNX Runtime ({@code .onnx}/{@code .ort}) run in this app. Legacy
 * PyTorch Mobile ({@code .ptl}) is not linked in: its last Android release (pytorch_android_lite
 * 1.12.2, 2022) ships its own fbjni/libc++ and a lite interpreter older than the exporter, so the app
 * reports an error that says so instead of guessing. Core ML runs on iOS only.
 */
public final class Runners {
  private Runners() {}

  /**
   * Loads an artifact.
   *
   * @param bundleDir the bundle directory
   * @param manifest its manifest
   * @param artifact the entry to load (from {@link Manifest#artifact})
   * @param threads CPU threads, 0 for the runtime's default
   * @param ortConfig extra ONNX Runtime session config entries (empty on phones)
   * @return the loaded runner
   * @throws UnsupportedArtifactException when this app cannot run that runtime
   * @throws Exception when the runtime fails to load the file
   */
  public static Runner open(File bundleDir, Manifest manifest, Manifest.Artifact artifact, int threads,
      Map<String, String> ortConfig) throws Exception {
    File file = new File(bundleDir, artifact.file);
    if (!file.exists()) {
      throw new java.io.FileNotFoundException("cannot open " + file + ": no such file in the bundle");
    }
    Manifest.Input input = manifest.inputs.get(0);
    long[] shape = Tensors.concrete(input.shape);
    switch (artifact.runtime) {
      case "executorch":
        return new ExecuTorchRunner(file, shape, threads);
      case "onnxruntime":
        return new OrtRunner(file, input.name, shape, threads, true,
            ortConfig == null ? Collections.<String, String>emptyMap() : ortConfig);
      case "pytorch_mobile":
        throw new UnsupportedArtifactException("PyTorch Mobile lite (.ptl) artifacts need the legacy build: this app "
            + "links ExecuTorch and ONNX Runtime only. Benchmark the .pte (ExecuTorch XNNPACK) artifact instead, or "
            + "run " + artifact.file + " with org.pytorch:pytorch_android_lite:1.12.2 in a separate app.");
      case "coreml":
        throw new UnsupportedArtifactException("Core ML artifacts (" + artifact.file + ") run on iOS only.");
      default:
        throw new UnsupportedArtifactException("unknown runtime '" + artifact.runtime + "' for " + artifact.file);
    }
  }
}
