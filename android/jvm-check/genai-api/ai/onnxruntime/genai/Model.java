package ai.onnxruntime.genai;

/** Compile-time stand-in; checked against aar-api.txt. */
public final class Model implements AutoCloseable {
  public Model(Config config) throws GenAIException {
    throw new UnsupportedOperationException("ONNX Runtime GenAI runs on Android only here (stand-in class)");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
