package ai.onnxruntime.genai;

/** Compile-time stand-in; checked against aar-api.txt. */
public class TokenizerStream implements AutoCloseable {
  private TokenizerStream() {}

  public String decode(int token) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
