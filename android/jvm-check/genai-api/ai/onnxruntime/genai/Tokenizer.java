package ai.onnxruntime.genai;

/** Compile-time stand-in; checked against aar-api.txt. */
public class Tokenizer implements AutoCloseable {
  public Tokenizer(Model model) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  public Sequences encode(String string) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  public TokenizerStream createStream() throws GenAIException {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
