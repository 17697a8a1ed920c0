package org.pytorch.executorch.extension.llm;

/**
 * Compile-time stand-in for the AAR's {@code LlmModule}: only the members the app calls, each with the
 * real JVM signature (checked against aar-api.txt, recorded from the real Kotlin sources).
 */
public final class LlmModule implements java.io.Closeable {
  public LlmModule(String modulePath, String tokenizerPath, float temperature) {
    throw new UnsupportedOperationException("ExecuTorch's LlmModule runs on Android only (stand-in class)");
  }

  public final void load() {
    throw new UnsupportedOperationException();
  }

  public final void generate(String prompt, int seqLen, LlmCallback llmCallback, boolean echo, float temperature,
      int numBos, int numEos) {
    throw new UnsupportedOperationException();
  }

  public final void stop() {
    throw new UnsupportedOperationException();
  }

  public final void resetContext() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
