package ai.onnxruntime.genai;

/** Compile-time stand-in; checked against aar-api.txt. */
public final class GeneratorParams implements AutoCloseable {
  public GeneratorParams(Model model) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  public void setSearchOption(String optionName, double value) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  public void setSearchOption(String optionName, boolean value) throws GenAIException {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
