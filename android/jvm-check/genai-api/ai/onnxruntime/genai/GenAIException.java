package ai.onnxruntime.genai;

/** Compile-time stand-in (onnxruntime-genai's Java API); checked against aar-api.txt. */
public final class GenAIException extends Exception {
  GenAIException(String message) {
    super(message);
  }
}
