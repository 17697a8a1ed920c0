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
   * @param threads CPU threads for the model's operators, >= 1 (see {@code Benchmark.Config#resolvedThreads})
   * @param ortConfig extra ONNX Runtime session config entries (empty on phones)
   * @return the loaded runner
   * @throws UnsupportedArtifactException when this app cannot run that runtime
   * @throws Exception when the runtime fails to load the file
   */
  public static Runner open(File bundleDir, Manifest manifest, Manifest.Artifact artifact, int threads,
      Map<String, String> ortConfig) throws Exception {
    return open(bundleDir, manifest, artifact, threads, ortConfig, true);
  }

  /**
   * Loads an artifact, choosing ONNX Runtime's execution provider.
   *
   * @param bundleDir the bundle directory
   * @param manifest its manifest
   * @param artifact the entry to load (from {@link Manifest#artifact})
   * @param threads CPU threads for the model's operators, >= 1
   * @param ortConfig extra ONNX Runtime session config entries (empty on phones)
   * @param ortXnnpack ONNX Runtime: try the XNNPACK execution provider (else ORT's CPU provider); an
   *     ExecuTorch program's delegate is fixed at export time (the manifest's {@code backend})
   * @return the loaded runner
   * @throws UnsupportedArtifactException when this app cannot run that runtime or version
   * @throws Exception when the runtime fails to load the file
   */
  public static Runner open(File bundleDir, Manifest manifest, Manifest.Artifact artifact, int threads,
      Map<String, String> ortConfig, boolean ortXnnpack) throws Exception {
    File file = manifest.artifactFile(bundleDir, artifact);
    if (!file.exists()) {
      throw new java.io.FileNotFoundException("cannot open " + file + ": no such file in the bundle");
    }
    RuntimeVersions.check(artifact);
    Manifest.Input input = manifest.inputs.get(0);
    long[] shape = Tensors.concrete(input.shape);
    switch (artifact.runtime) {
      case "executorch":
        return new ExecuTorchRunner(file, input.name, input.dtype, shape, threads);
      case "onnxruntime":
        return new OrtRunner(modelFile(bundleDir, artifact), input.name, shape, threads, ortXnnpack,
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

  /**
   * The file ONNX Runtime loads for an artifact: its {@code .ort} companion (ORT format: no graph
   * optimisation at load, smaller and faster to load on phones) when the bundle has one and its format
   * is not newer than the linked ORT, else the {@code .onnx}.
   *
   * @param bundleDir the bundle directory
   * @param artifact an onnxruntime artifact
   * @return the file to load
   */
  public static File modelFile(File bundleDir, Manifest.Artifact artifact) throws java.io.IOException {
    String ort = artifact.ortFile();
    if (ort != null && RuntimeVersions.ortFormatUsable(artifact)) {
      File f = BundlePaths.resolve(bundleDir, "artifacts[].extra_files", ort);
      if (f.isFile()) {
        return f;
      }
    }
    return BundlePaths.resolve(bundleDir, "artifacts[].file", artifact.file);
  }
}
