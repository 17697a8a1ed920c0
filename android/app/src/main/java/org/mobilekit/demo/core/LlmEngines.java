package org.mobilekit.demo.core;

import java.io.File;

/**
 * Opens an LLM artifact with the runtime its manifest entry names: ExecuTorch ({@code .pte} through
 * LlmModule) or ONNX Runtime GenAI (a model folder). Core ML runs on iOS only; other runtimes have no
 * generation loop in this app.
 */
public final class LlmEngines {
  private LlmEngines() {}

  /** Makes an engine; the app's is {@link #open}, tests put in a fake one. */
  public interface Factory {
    LlmEngine open(File bundleDir, Manifest manifest, Manifest.Artifact artifact, int threads) throws Exception;
  }

  private static volatile Factory override;

  /**
   * Replaces the real runtimes (JVM tests, where no native LLM runtime loads).
   *
   * @param factory the fake, or null for the real runtimes
   */
  public static void setFactoryForTests(Factory factory) {
    override = factory;
  }

  /**
   * Loads an LLM artifact.
   *
   * @param bundleDir the bundle directory
   * @param manifest its manifest (with an {@code llm} block)
   * @param artifact the artifact to load
   * @param threads CPU threads, >= 1 (passed where the runtime takes a count)
   * @return the loaded engine
   * @throws UnsupportedArtifactException when the bundle is not an LLM or the runtime cannot generate here
   * @throws Exception when the runtime fails to load it
   */
  public static LlmEngine open(File bundleDir, Manifest manifest, Manifest.Artifact artifact, int threads)
      throws Exception {
    if (manifest.llm == null) {
      throw new UnsupportedArtifactException(manifest.name + " is not an LLM bundle (its manifest has no llm block)");
    }
    Factory f = override;
    if (f != null) {
      return f.open(bundleDir, manifest, artifact, threads);
    }
    File file = manifest.artifactFile(bundleDir, artifact);
    if (!file.exists()) {
      throw new java.io.FileNotFoundException("cannot open " + file + ": no such file in the bundle");
    }
    switch (artifact.runtime) {
      case "executorch":
        RuntimeVersions.check(artifact);
        return new ExecuTorchLlm(file,
            BundlePaths.resolve(bundleDir, "llm.tokenizer.file", manifest.llm.tokenizerFile), manifest.llm);
      case "onnxruntime_genai":
        return new OrtGenAiLlm(file, manifest.llm, threads);
      case "coreml":
        throw new UnsupportedArtifactException("Core ML artifacts (" + artifact.file + ") run on iOS only.");
      default:
        throw new UnsupportedArtifactException("no generation loop for runtime '" + artifact.runtime + "' ("
            + artifact.file + "): this app generates with ExecuTorch (.pte) and ONNX Runtime GenAI (model folder)");
    }
  }

  /**
   * Whether this app can generate with an artifact.
   *
   * @param a an artifact of an LLM bundle
   * @return true for android ExecuTorch and ONNX Runtime GenAI artifacts
   */
  public static boolean generates(Manifest.Artifact a) {
    return a.platforms.contains("android") && (a.runtime.equals("executorch") || a.runtime.equals("onnxruntime_genai"));
  }
}
