package ai.onnxruntime.genai;

/** Compile-time stand-in; checked against aar-api.txt. */
public final class Sequences implements AutoCloseable {
  private Sequences() {}

  public int[] getSequence(long sequenceIndex) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
