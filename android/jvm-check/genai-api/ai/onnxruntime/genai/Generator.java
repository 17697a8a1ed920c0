package ai.onnxruntime.genai;

/** Compile-time stand-in; checked against aar-api.txt. */
public final class Generator implements AutoCloseable, Iterable<Integer> {
  public Generator(Model model, GeneratorParams generatorParams) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  @Override
  public java.util.Iterator<Integer> iterator() {
    throw new UnsupportedOperationException();
  }

  public boolean isDone() {
    throw new UnsupportedOperationException();
  }

  public void appendTokens(int[] inputIDs) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  public void generateNextToken() throws GenAIException {
    throw new UnsupportedOperationException();
  }

  public int getLastTokenInSequence(long sequenceIndex) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
