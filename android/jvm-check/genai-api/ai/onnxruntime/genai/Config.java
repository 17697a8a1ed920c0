package ai.onnxruntime.genai;

/** Compile-time stand-in; checked against aar-api.txt. */
public final class Config implements AutoCloseable {
  public Config(String modelPath) throws GenAIException {
    throw new UnsupportedOperationException("ONNX Runtime GenAI runs on Android only here (stand-in class)");
  }

  public void overlay(String json) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
